// Precompiled once per target (meson's cpp_pch) to cut build time: the
// heavy headers nearly every kiln file includes, xtensor above all (parsing
// it was over half of a typical file's compile time). A build-time aid
// only: every file still includes what it uses.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>
