#include "version.hpp"

namespace kiln {

const char* library_version() { return KILN_VERSION_STRING; }

}  // namespace kiln
