#pragma once
// `nmt train --arch transformer`: the Transformer translator's training
// command (translate and evaluate read either architecture through
// loaded_model.hpp).

#include <ostream>

#include "examples/nmt/cli.hpp"

namespace nmt {

// Trains the Transformer through fit(), saves the model directory with the
// cross-attention heatmap, prints sample translations and the held-out
// scores, as run_train does for the GRU model. Checkpoints and --resume are
// the GRU trainer's and are refused here (kiln::Error).
int run_train_transformer(const TrainOptions& options, std::ostream& out);

}  // namespace nmt
