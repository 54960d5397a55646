#pragma once
// Resumable training checkpoints of `nmt train`: a model directory (see
// model_dir.hpp) plus
//   optimizer.safetensors  Adam's moments and step count
//   training_state.json    the run's options and its position in the data
//                          order (epoch, step, order generator, order)
// written as one unit through io/atomic_dir.hpp, so a kill while writing
// leaves the previous checkpoint whole. `nmt train --resume DIR` reads the
// options back, prepares the same data, checks that it gives the same
// vocabularies, loads weights and optimizer state, and continues at the
// saved position: the result equals the uninterrupted run's.

#include <filesystem>
#include <memory>

#include "examples/nmt/cli.hpp"
#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/trainer.hpp"
#include "io/atomic_dir.hpp"

namespace nmt {

inline constexpr const char* optimizer_file = "optimizer.safetensors";
inline constexpr const char* training_state_file = "training_state.json";

std::vector<std::string> checkpoint_parts();

// Publishes a new version of the checkpoint directory `dir` writes (it
// holds the directory's lock for the whole run, so no other run can write
// checkpoints there meanwhile).
void write_checkpoint(kiln::io::DirectoryWrite& dir, const TrainedModel& trained, const TrainOptions& options,
                      const TrainingPosition& position);

struct CheckpointState {
  TrainOptions options;  // as the run was started (quiet and threads as given then)
  TrainingPosition position;
};

// training_state.json of `dir`; kiln::FormatError naming the file and field.
CheckpointState read_checkpoint_state(const std::filesystem::path& dir);

// The checkpoint's model and vocabularies, with its optimizer state loaded.
TrainedModel load_checkpoint(const std::filesystem::path& dir, std::shared_ptr<kiln::Communicator> communicator);

}  // namespace nmt
