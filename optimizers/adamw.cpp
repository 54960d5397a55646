#include "optimizers/adamw.hpp"

namespace kiln {

AdamW::AdamW() : AdamW(Options{}) {}

AdamW::AdamW(Options o)
    : Adam("adamw", Adam::Options{.learning_rate = o.learning_rate,
                                  .beta_1 = o.beta_1,
                                  .beta_2 = o.beta_2,
                                  .epsilon = o.epsilon,
                                  .weight_decay = o.weight_decay,
                                  .clipnorm = o.clipnorm,
                                  .global_clipnorm = o.global_clipnorm,
                                  .clipvalue = o.clipvalue,
                                  .learning_rate_schedule = std::move(o.learning_rate_schedule)}) {}

}  // namespace kiln
