// ops/kernels/body.hpp built for x86-64-v4 (meson.build gives this file -march=x86-64-v4).
#define KILN_KERNEL_NS v4
#define KILN_KERNEL_ISA "x86-64-v4"
#define KILN_KERNEL_WIDTH 16
#include "ops/kernels/body.hpp"
