#pragma once
// What `nmt train` reports after data-parallel training under mpirun: the
// time the steps spent in allreduce (from the communicator's counters; it
// includes waiting for the slowest rank) and, measured right after
// training with the ranks in step, what one allreduce of the gradient
// buffer costs on its own. Every rank must call it (it runs collectives);
// rank 0 prints.

#include <cstddef>
#include <ostream>

#include "distributed/communicator.hpp"

namespace nmt {

void report_data_parallel(std::ostream& out, kiln::Communicator& job, std::size_t steps, std::size_t gradient_floats,
                          double training_seconds);

}  // namespace nmt
