#include "models/compile_config.hpp"

#include "graph/error.hpp"
#include "models/model.hpp"
#include "optimizers/make_optimizer.hpp"

namespace kiln {

namespace {

using json = nlohmann::json;

const char* reduction_name(Reduction r) {
  return r == Reduction::mean_with_sample_weight ? "mean_with_sample_weight" : "sum_over_batch_size";
}

Reduction reduction_from(const json& value) {
  if (value == "sum_over_batch_size") return Reduction::sum_over_batch_size;
  if (value == "mean_with_sample_weight") return Reduction::mean_with_sample_weight;
  throw FormatError("compile_config: reduction must be \"sum_over_batch_size\" or \"mean_with_sample_weight\", got " +
                    value.dump());
}

}  // namespace

CompileConfig compile_config(const Model& model) {
  const CompileOptions& o = model.compile_options();
  json optimizer;
  try {
    optimizer = serialize_optimizer(model.optimizer());
  } catch (const Error& e) {
    return {std::nullopt, std::string("its optimizer has no config (") + e.what() + ")"};
  }
  const auto loss = o.loss.to_config();
  if (!loss) return {std::nullopt, "a loss is a C++ function"};
  const auto metrics = o.metrics.to_config();
  if (!metrics) return {std::nullopt, "a metric is an object"};
  return {json{{"optimizer", optimizer},
               {"loss", *loss},
               {"metrics", *metrics},
               {"loss_weights", o.loss_weights.to_config()},
               {"loss_options",
                {{"from_logits", o.loss_options.from_logits}, {"reduction", reduction_name(o.loss_options.reduction)}}}},
          {}};
}

CompileOptions compile_options_from_config(const json& config) {
  if (!config.is_object() || !config.contains("optimizer") || !config.contains("loss")) {
    throw FormatError("compile_config must be an object with \"optimizer\" and \"loss\", got " + config.dump());
  }
  CompileOptions o;
  o.optimizer = optimizer_from_config(config.at("optimizer"));
  o.loss = Losses::from_config(config.at("loss"));
  o.metrics = Metrics::from_config(config.value("metrics", json(nullptr)));
  o.loss_weights = LossWeights::from_config(config.value("loss_weights", json(nullptr)));
  if (config.contains("loss_options")) {
    const json& lo = config.at("loss_options");
    if (!lo.is_object()) throw FormatError("compile_config: loss_options must be an object, got " + lo.dump());
    const json from_logits = lo.value("from_logits", json(false));
    if (!from_logits.is_boolean()) throw FormatError("compile_config: from_logits must be true or false");
    o.loss_options.from_logits = from_logits.get<bool>();
    o.loss_options.reduction = reduction_from(lo.value("reduction", json("sum_over_batch_size")));
  }
  return o;
}

}  // namespace kiln
