// Training checkpoints (see checkpoint.hpp).

#include "examples/nmt/checkpoint.hpp"

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"
#include "io/json_depth.hpp"

namespace nmt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* state_format = "kiln-nmt-checkpoint";
// Version 2 dropped version 1's running loss and accuracy totals (fit keeps them).
constexpr int state_version = 2;

json options_to_json(const TrainOptions& o) {
  return {{"data_dir", o.data.data_dir}, {"pairs", o.data.pairs},   {"samples", o.data.samples},
          {"out", o.out},                {"epochs", o.epochs},      {"batch_size", o.batch_size},
          {"hidden", o.hidden},          {"en_timesteps", o.en_timesteps}, {"fr_timesteps", o.fr_timesteps},
          {"embed", o.embed},            {"bidirectional", o.bidirectional}, {"test_split", o.test_split},
          {"seed", o.seed},              {"threads", o.threads},    {"quiet", o.quiet},
          {"checkpoint_every", o.checkpoint_every}};
}

// Reads training_state.json's fields, each checked for its type, and
// throws FormatError "<file>: <field>: <fault>".
class Fields {
 public:
  Fields(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail("(top level)", "expected a JSON object");
  }
  const json& at(const char* name) const {
    if (!object_.contains(name)) fail(name, "missing");
    return object_.at(name);
  }
  std::string text(const char* name) const {
    if (!at(name).is_string()) fail(name, "expected a string, got " + at(name).dump());
    return at(name).get<std::string>();
  }
  std::uint64_t count(const char* name, std::uint64_t max) const {
    if (!at(name).is_number_unsigned() || at(name).get<std::uint64_t>() > max) {
      fail(name, "expected an integer from 0 to " + std::to_string(max) + ", got " + at(name).dump());
    }
    return at(name).get<std::uint64_t>();
  }
  double number(const char* name) const {
    if (!at(name).is_number()) fail(name, "expected a number, got " + at(name).dump());
    return at(name).get<double>();
  }
  bool flag(const char* name) const {
    if (!at(name).is_boolean()) fail(name, "expected true or false, got " + at(name).dump());
    return at(name).get<bool>();
  }
  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw kiln::FormatError(where_ + ": " + field + ": " + what);
  }

 private:
  const json& object_;
  std::string where_;
};

TrainOptions options_from(const Fields& f) {
  TrainOptions o;
  o.data.data_dir = f.text("data_dir");
  o.data.pairs = f.text("pairs");
  o.data.samples = f.count("samples", max_samples);
  o.out = f.text("out");
  o.epochs = f.count("epochs", max_epochs);
  o.batch_size = f.count("batch_size", max_batch_size);
  o.hidden = f.count("hidden", max_hidden);
  o.en_timesteps = f.count("en_timesteps", max_timesteps);
  o.fr_timesteps = f.count("fr_timesteps", max_timesteps);
  o.embed = f.count("embed", max_embed);
  o.bidirectional = f.flag("bidirectional");
  o.test_split = f.number("test_split");
  o.seed = f.count("seed", UINT64_MAX);
  o.threads = f.count("threads", max_threads);
  o.quiet = f.flag("quiet");
  o.checkpoint_every = f.count("checkpoint_every", max_epochs);
  if (o.epochs == 0 || o.batch_size == 0 || o.hidden == 0 || o.out.empty() || !(o.test_split >= 0.0 && o.test_split < 1.0)) {
    f.fail("options", "a value is out of range");
  }
  return o;
}

}  // namespace

std::vector<std::string> checkpoint_parts() {
  auto parts = model_dir_parts();
  parts.push_back(optimizer_file);
  parts.push_back(training_state_file);
  return parts;
}

void write_checkpoint(kiln::io::DirectoryWrite& write, const TrainedModel& trained, const TrainOptions& options,
                      const TrainingPosition& position) {
  write_model_files(write.staging(), trained);
  trained.model.training->save_optimizer_state(write.staging() / optimizer_file);
  const json state = {{"format", state_format},
                      {"version", state_version},
                      {"options", options_to_json(options)},
                      {"epoch", position.epoch},
                      {"step", position.step},
                      {"order_rng", position.order_rng},
                      {"order", position.order}};
  kiln::io::write_file_atomically(write.staging() / training_state_file, state.dump() + "\n");
  write.commit();
}

CheckpointState read_checkpoint_state(const fs::path& dir) {
  const kiln::io::DirectoryReader reader(dir);
  const std::string where = (dir / training_state_file).string();
  if (!reader.has(training_state_file)) {
    throw kiln::FormatError(where + ": missing (is '" + dir.string() + "' a checkpoint written by 'nmt train'?)");
  }
  json file;
  try {
    file = kiln::io::parse_json_with_depth_limit<json>(reader.read(training_state_file), 8);
  } catch (const json::exception& e) {
    throw kiln::FormatError(where + ": not valid JSON (" + e.what() + ")");
  }
  const Fields f(file, where);
  if (f.text("format") != state_format || f.count("version", 1000) != state_version) {
    f.fail("format", std::string("expected \"") + state_format + "\" version " + std::to_string(state_version));
  }
  CheckpointState state;
  state.options = options_from(Fields(f.at("options"), where + ": options"));
  state.position.epoch = f.count("epoch", state.options.epochs);
  state.position.step = f.count("step", max_samples);
  state.position.order_rng = f.text("order_rng");
  const json& order = f.at("order");
  if (!order.is_array() || order.size() > max_samples) f.fail("order", "expected an array of row numbers");
  for (const auto& i : order) {
    if (!i.is_number_unsigned()) f.fail("order", "expected row numbers, got " + i.dump());
    state.position.order.push_back(i.get<std::size_t>());
  }
  return state;
}

TrainedModel load_checkpoint(const fs::path& dir, std::shared_ptr<kiln::Communicator> communicator) {
  TrainedModel trained = load_model_dir(dir, {.strict = true, .communicator = std::move(communicator)});
  // The weights are live now; the optimizer must match them or the run is not the same run.
  try {
    trained.model.training->load_optimizer_state(dir / optimizer_file);
  } catch (const kiln::FormatError&) {
    throw;  // names the file already
  } catch (const kiln::Error& e) {
    throw kiln::FormatError((dir / optimizer_file).string() + ": " + e.what());
  }
  return trained;
}

}  // namespace nmt
