// ops/kernels/body.hpp built for x86-64-v3 (meson.build gives this file -march=x86-64-v3).
#define KILN_KERNEL_NS v3
#define KILN_KERNEL_ISA "x86-64-v3"
#define KILN_KERNEL_WIDTH 8
#include "ops/kernels/body.hpp"
