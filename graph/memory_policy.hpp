#pragma once
// How kiln asks the C library to manage memory. Called once when the
// library loads (and again, harmlessly, on the first backward pass in case
// a static link dropped the loader hook).

namespace kiln {

// Keeps freed blocks of up to 32 MiB in the process heap so the next
// training step reuses them instead of page-faulting fresh ones in.
// Does nothing when the user has tuned glibc's malloc themselves
// (GLIBC_TUNABLES or MALLOC_*_ variables) or set KILN_SYSTEM_MALLOC (any
// value). The environment is read once, when the library loads: set these
// before starting the program, not from main().
void apply_memory_policy();

}  // namespace kiln
