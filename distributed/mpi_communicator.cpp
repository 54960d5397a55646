#include "distributed/mpi_communicator.hpp"

// Only the C API: the deprecated C++ bindings would come in with mpi.h.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "graph/error.hpp"

namespace kiln {

namespace {

MPI_Datatype mpi_type(bool f32) { return f32 ? MPI_FLOAT : MPI_DOUBLE; }

// MPI counts are ints: longer buffers go in pieces of at most 2^30 elements.
constexpr std::size_t max_piece = std::size_t(1) << 30;

template <class F>
void in_pieces(void* data, std::size_t n, std::size_t element_bytes, F&& collective) {
  char* bytes = static_cast<char*>(data);
  for (std::size_t done = 0; done < n; done += max_piece) {
    const std::size_t count = std::min(max_piece, n - done);
    collective(bytes + done * element_bytes, int(count));
  }
}

}  // namespace

MpiCommunicator::MpiCommunicator() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
      throw Error("MpiCommunicator: MPI_Init_thread failed");
    }
    owns_mpi_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_mpi_ && !finalized) MPI_Finalize();
}

void MpiCommunicator::abort_job(int exit_code) { MPI_Abort(MPI_COMM_WORLD, exit_code); }

void MpiCommunicator::do_broadcast(void* data, std::size_t n, Element type, int root) {
  const MPI_Datatype t = mpi_type(type == Element::f32);
  in_pieces(data, n, bytes_of(type), [&](void* piece, int count) { MPI_Bcast(piece, count, t, root, MPI_COMM_WORLD); });
}

void MpiCommunicator::do_allreduce_sum(void* data, std::size_t n, Element type) {
  const MPI_Datatype t = mpi_type(type == Element::f32);
  in_pieces(data, n, bytes_of(type), [&](void* piece, int count) {
    MPI_Allreduce(MPI_IN_PLACE, piece, count, t, MPI_SUM, MPI_COMM_WORLD);
  });
}

void MpiCommunicator::do_barrier() { MPI_Barrier(MPI_COMM_WORLD); }

bool launched_by_mpi() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK"}) {
    if (std::getenv(variable) != nullptr) return true;
  }
  return false;
}

}  // namespace kiln
