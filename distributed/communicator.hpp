#pragma once
// Communicator: the few collectives data-parallel training needs, whatever
// carries the bytes: MPI between the processes of an `mpirun` job, or
// nothing at all for a process on its own (LocalCommunicator).
//
// Collectives are collective: every process of the job calls the same ones,
// in the same order, with the same sizes, as MPI requires. A process that
// skips one leaves the others waiting forever.
//
// One virtual call per collective, never per element. The public functions
// check their arguments, time the call, and hand it to the transport's
// implementation (the do_* hooks).

#include <cstddef>
#include <memory>
#include <string>

namespace kiln {

// What the collectives of one communicator have cost so far. Seconds are
// wall time inside the call, so they include waiting for the slowest process.
struct CommunicatorStats {
  std::size_t allreduce_calls = 0;
  std::size_t allreduce_bytes = 0;
  double allreduce_seconds = 0.0;
  std::size_t broadcast_calls = 0;
  std::size_t broadcast_bytes = 0;
  double broadcast_seconds = 0.0;
};

class Communicator {
 public:
  Communicator() = default;
  virtual ~Communicator() = default;
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  // This process's number in [0, size()), and how many processes take part.
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Rank 0: the process that prints progress and writes files.
  bool is_root() const { return rank() == 0; }
  // "rank 1 of 4" / "a single process", for messages.
  std::string describe() const;

  // data[0..n) of rank `root` replaces data[0..n) on every other rank.
  // Throws kiln::Error when root is not a rank of this communicator.
  void broadcast(float* data, std::size_t n, int root);
  void broadcast(double* data, std::size_t n, int root);
  // data[i] becomes the sum over all ranks of their data[i], the same bits
  // on every rank.
  void allreduce_sum(float* data, std::size_t n);
  void allreduce_sum(double* data, std::size_t n);
  // Returns once every rank has called it.
  void barrier();
  // Ends every process of the job with `exit_code` (MPI_Abort): for a
  // failure on one rank, which would otherwise leave the others waiting in
  // a collective. Does nothing for a job of one (the caller exits normally).
  virtual void abort_job(int exit_code) = 0;

  const CommunicatorStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }

 protected:
  enum class Element { f32, f64 };
  static std::size_t bytes_of(Element type) { return type == Element::f32 ? 4 : 8; }
  // The transport's own work; called with valid arguments and n > 0.
  virtual void do_broadcast(void* data, std::size_t n, Element type, int root) = 0;
  virtual void do_allreduce_sum(void* data, std::size_t n, Element type) = 0;
  virtual void do_barrier() = 0;

 private:
  void timed_broadcast(void* data, std::size_t n, Element type, int root);
  void timed_allreduce(void* data, std::size_t n, Element type);

  CommunicatorStats stats_;
};

// A job of one: rank 0 of size 1, every collective leaves the data as is.
class LocalCommunicator : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void abort_job(int) override {}

 protected:
  void do_broadcast(void*, std::size_t, Element, int) override {}
  void do_allreduce_sum(void*, std::size_t, Element) override {}
  void do_barrier() override {}
};

// The processes this program was started with: every process of the
// `mpirun` job when kiln was built with MPI and the program runs under
// mpirun (MPI is initialised on this first call and finalised at exit), a
// LocalCommunicator otherwise. The same object on every call; collectives
// must come from the thread that first called it.
std::shared_ptr<Communicator> world();

// Whether this libkiln was built with MPI (meson -Dmpi=enabled or auto).
bool built_with_mpi();

}  // namespace kiln
