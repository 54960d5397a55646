// kiln::world(): MPI when kiln was built with it and the program runs under
// an MPI launcher, this process alone otherwise.

#include "distributed/communicator.hpp"

#ifdef KILN_HAVE_MPI
#include "distributed/mpi_communicator.hpp"
#endif

namespace kiln {

namespace {

std::shared_ptr<Communicator> make_world() {
#ifdef KILN_HAVE_MPI
  if (launched_by_mpi()) return std::make_shared<MpiCommunicator>();
#endif
  return std::make_shared<LocalCommunicator>();
}

}  // namespace

std::shared_ptr<Communicator> world() {
  // Destroyed at exit, which finalises MPI after main returns.
  static const std::shared_ptr<Communicator> instance = make_world();
  return instance;
}

bool built_with_mpi() {
#ifdef KILN_HAVE_MPI
  return true;
#else
  return false;
#endif
}

}  // namespace kiln
