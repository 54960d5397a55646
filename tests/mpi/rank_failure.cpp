// Run by meson as `mpirun -np 2 kiln-mpi-rank-failure` and expected to FAIL:
// rank 1's loss throws in the first training step. Rank 0 is then waiting
// in the gradient allreduce for a rank that will never arrive. Rank 1
// catches the error and returns normally, as a program handling it would:
// kiln must end the whole job (non-zero exit) before that, rather than leave
// rank 0 hanging, which meson's timeout would report. Run alone it has
// nothing to show and exits 77.

#include <cstdio>

#include "../data_parallel_model.hpp"
#include "graph/error.hpp"
#include "training/losses.hpp"

using namespace kiln;

int main() {
  const auto job = world();
  if (job->size() < 2) {
    std::puts("skipped: run under mpirun with at least 2 processes");
    return 77;
  }
  Functional model = kiln::testing::gru_tagger(7, job);
  const LossFunction crossentropy = loss_by_name("categorical_crossentropy");
  const int rank = job->rank();
  model->compile({.optimizer = "adam",
                  .loss = LossChoice(
                      [&](const Tensor& y_pred, const Array& y_true, const Array* weight) {
                        if (rank == 1) throw Error("a deliberate failure in rank 1's loss");
                        return crossentropy(y_pred, y_true, weight);
                      },
                      "failing_loss"),
                  .communicator = job});
  const auto data = kiln::testing::tagger_data(8, 3);
  try {
    model->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 1, .verbose = 0});
  } catch (const Error& e) {
    // A program that handles the error and ends normally: without kiln
    // ending the job, rank 0 would wait in its allreduce forever.
    std::printf("rank %d caught: %s\n", rank, e.what());
    return 0;
  }
  std::printf("rank %d: training finished\n", rank);
  return 0;
}
