// Loads the model `app save DIR` wrote and prints its predictions, as app
// does. It names no layer class: linked against a static libkiln, Dense is
// in this program only because the registry lists it, not because this
// program referred to it.
#include <kiln/kiln.hpp>

#include <cmath>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: load_app MODEL_DIR\n");
    return 2;
  }
  try {
    const auto model = kiln::load_model(argv[1]);
    kiln::Array x = kiln::Array::from_shape({2, 6});
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = 0.5f * std::sin(float(i + 1));  // app's ramp(2, 6, 0.5)
    const kiln::Array p = model->predict({x})[0];
    for (std::size_t i = 0; i < p.size(); ++i) std::printf("p[%zu] = %a\n", i, double(p.data()[i]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_app: %s\n", e.what());
    return 1;
  }
  return 0;
}
