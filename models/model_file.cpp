#include "models/model_file.hpp"

#include <iostream>
#include <optional>
#include <system_error>

#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"
#include "io/json_depth.hpp"
#include "io/safetensors.hpp"
#include "models/compile_config.hpp"
#include "models/config_fields.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"

namespace kiln {

namespace {

using json = nlohmann::json;
using namespace config_fields;

constexpr const char* file_format = "kiln-model";
constexpr int file_version = 1;
// Each model nested in another adds three levels; this allows about twenty.
constexpr int max_json_depth = 64;

bool is_graph_model(const Model& model) {
  return dynamic_cast<const FunctionalModel*>(&model) || dynamic_cast<const SequentialModel*>(&model);
}

// The model described by model.json's parsed content.
std::shared_ptr<Model> model_from_json(const json& file) {
  const std::string format = string_field(file, "format", "the file");
  if (format != file_format) {
    throw FormatError("not a kiln model file (format is '" + format + "', expected '" + file_format + "')");
  }
  const std::size_t version = index_value(field(file, "version", "the file"), "\"version\"");
  if (version != file_version) {
    throw FormatError("version " + std::to_string(version) + " is not one this kiln reads (" +
                      std::to_string(file_version) + ")");
  }
  const std::string class_name = string_field(file, "class_name", "the file");
  const json& config = object_field(file, "config", "the file");
  std::shared_ptr<Model> model;
  if (class_name == "Functional") {
    model = FunctionalModel::from_config(config);
  } else if (class_name == "Sequential") {
    model = std::make_shared<SequentialModel>(SequentialModel::options_from_config(config));
  } else {
    throw FormatError("\"class_name\" must be \"Functional\" or \"Sequential\", got '" + class_name + "'");
  }
  if (config.contains("trainable")) {
    if (!config.at("trainable").is_boolean()) {
      throw FormatError("the model's \"trainable\" must be true or false, got " + config.at("trainable").dump());
    }
    // As for layers (layers/registry.cpp): only a freeze applies to the whole model.
    if (!config.at("trainable").get<bool>()) model->set_trainable(false);
  }
  return model;
}

// Puts the weights file into a freshly rebuilt model. A model without
// weights (only Dropout, say) still needs a file that holds none.
void load_model_weights(Model& model, const std::filesystem::path& path) {
  if (!model.named_weights().empty()) {
    model.load_weights(path);
    return;
  }
  const auto tensors = io::load_safetensors(path);
  if (!tensors.empty()) {
    throw FormatError(path.string() + ": holds " + std::to_string(tensors.size()) + " tensors (the first is '" +
                      tensors.front().name + "') but " + model.describe() + " has no weights");
  }
}

}  // namespace

void save_model(const Model& model, const std::filesystem::path& dir) {
  if (!is_graph_model(model)) {
    throw Error("save_model: " + model.describe() +
                " is a subclassed model, whose architecture is C++ code rather than config: save its weights "
                "with save_weights() and load them into the model built in code with load_weights(), as Keras "
                "does for subclassed models");
  }
  json file = {{"format", file_format},
               {"version", file_version},
               {"class_name", model.class_name()},
               {"config", model.get_config()}};  // first: a model that cannot be described writes nothing
  // A compiled model is saved compiled, as Keras saves it: its compile
  // arguments, and the optimizer's state once it has taken a step.
  bool with_optimizer_state = false;
  if (model.compiled()) {
    const CompileConfig compiled = compile_config(model);
    if (compiled.config) {
      file["compile_config"] = *compiled.config;
      with_optimizer_state = model.optimizer().iterations() > 0;
    } else {
      std::cerr << "save_model: " << model.describe() << " is saved uncompiled: " << compiled.why_not
                << "; compile it again after load_model\n";
    }
  }
  // Both files are replaced as one unit (io/atomic_dir.hpp): a crash or a
  // full disk leaves the old pair or the new one, never new weights beside
  // an old architecture; a concurrent save of the same directory fails.
  std::optional<io::DirectoryWrite> write;
  try {
    write.emplace(dir, std::vector<std::string>{"model.json", "weights.safetensors", "optimizer.safetensors"});
  } catch (const Error& e) {
    throw Error("save_model: cannot create the directory " + dir.string() + ": " + e.what());
  }
  model.save_weights(write->staging() / "weights.safetensors");
  if (with_optimizer_state) model.save_optimizer_state(write->staging() / "optimizer.safetensors");
  io::write_file_atomically(write->staging() / "model.json", file.dump(2) + "\n");
  write->commit();
}

std::shared_ptr<Model> load_model(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "model.json";
  const std::string where = path.string() + ": ";
  const std::string text = io::read_file(path);  // its FormatError names the file already
  json file;
  try {
    file = io::parse_json_with_depth_limit<json>(text, max_json_depth);
  } catch (const FormatError& e) {  // nested too deep
    throw FormatError(where + e.what());
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number beyond double
    throw FormatError(where + "not valid JSON (" + e.what() + ")");
  }
  std::shared_ptr<Model> model;
  try {
    model = model_from_json(file);
  } catch (const FormatError& e) {
    throw FormatError(where + e.what());
  } catch (const ShapeError& e) {  // layers that do not fit together: the file is inconsistent
    throw FormatError(where + e.what());
  } catch (const Error& e) {  // an unregistered class keeps the registry's Error
    throw Error(where + e.what());
  } catch (const json::exception& e) {
    throw FormatError(where + e.what());
  }
  load_model_weights(*model, dir / "weights.safetensors");
  if (file.contains("compile_config")) {
    try {
      model->compile(compile_options_from_config(file.at("compile_config")));
    } catch (const Error& e) {
      throw FormatError(where + "compile_config: " + e.what());
    }
    const std::filesystem::path optimizer_state = dir / "optimizer.safetensors";
    if (std::filesystem::exists(optimizer_state)) model->load_optimizer_state(optimizer_state);
  }
  return model;
}

}  // namespace kiln
