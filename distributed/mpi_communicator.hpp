#pragma once
// MpiCommunicator: the Communicator of MPI_COMM_WORLD (OpenMPI, MPICH).
// Built only when meson finds MPI, and not installed: programs reach it
// through kiln::world(), so no public header depends on mpi.h.

#include "distributed/communicator.hpp"

namespace kiln {

class MpiCommunicator : public Communicator {
 public:
  // Initialises MPI (MPI_THREAD_FUNNELED: collectives from this thread)
  // unless the program already did.
  MpiCommunicator();
  // Finalises MPI if the constructor initialised it.
  ~MpiCommunicator() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void abort_job(int exit_code) override;

 protected:
  void do_broadcast(void* data, std::size_t n, Element type, int root) override;
  void do_allreduce_sum(void* data, std::size_t n, Element type) override;
  void do_barrier() override;

 private:
  int rank_ = 0;
  int size_ = 1;
  bool owns_mpi_ = false;
};

// Whether an MPI launcher (mpirun, mpiexec, srun with PMI/PMIx) started this
// process, read from the variables the launchers set.
bool launched_by_mpi();

}  // namespace kiln
