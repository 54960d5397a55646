#include "models/compile_config.hpp"

#include "graph/error.hpp"
#include "models/model.hpp"
#include "optimizers/make_optimizer.hpp"

namespace kiln {

namespace {

using json = nlohmann::json;

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
  json loss_options = json::object();
  config::write_fields(o.loss_options, loss_options);
  return {json{{"optimizer", optimizer},
               {"loss", *loss},
               {"metrics", *metrics},
               {"loss_weights", o.loss_weights.to_config()},
               {"loss_options", loss_options}},
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
    std::vector<std::string> known;
    config::read_fields(lo, o.loss_options, "compile_config: loss_options", known);
  }
  return o;
}

}  // namespace kiln
