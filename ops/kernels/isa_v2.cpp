// ops/kernels/body.hpp built for x86-64-v2 (meson.build gives this file -march=x86-64-v2).
#define KILN_KERNEL_NS v2
#define KILN_KERNEL_ISA "x86-64-v2"
#define KILN_KERNEL_WIDTH 4
#include "ops/kernels/body.hpp"
