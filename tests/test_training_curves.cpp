// plot/: axis ticks and the training-curve PNG drawn from a History.

#include <cmath>
#include <cstring>

#include "io/atomic_file.hpp"
#include "plot/axis_ticks.hpp"
#include "plot/training_curves.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::ScratchDir;

namespace {

History sample_history(std::size_t epochs) {
  History h;
  for (std::size_t e = 0; e < epochs; ++e) {
    const double t = double(e);
    h.record_epoch({{"loss", 2.0 * std::exp(-0.3 * t) + 0.1},
                    {"accuracy", 0.9 - 0.6 * std::exp(-0.4 * t)},
                    {"val_loss", 2.1 * std::exp(-0.25 * t) + 0.2},
                    {"val_accuracy", 0.85 - 0.6 * std::exp(-0.35 * t)},
                    {"learning_rate", e < 6 ? 1e-3 : 1e-4}});
  }
  return h;
}

// The PNG's width and height from its IHDR chunk (big-endian at bytes 16 and 20).
std::pair<int, int> png_size(const std::string& png) {
  auto be32 = [&](std::size_t at) {
    return int((unsigned char)png[at]) << 24 | int((unsigned char)png[at + 1]) << 16 |
           int((unsigned char)png[at + 2]) << 8 | int((unsigned char)png[at + 3]);
  };
  return {be32(16), be32(20)};
}

}  // namespace

TEST_CASE("nice_ticks covers the range with steps of 1, 2 or 5 times a power of ten") {
  const auto t = plot::nice_ticks(0.13, 2.31);
  CHECK(t.step == doctest::Approx(0.5));
  CHECK(t.lo == doctest::Approx(0.0));
  CHECK(t.hi == doctest::Approx(2.5));
  CHECK(t.values.size() == 6);
  CHECK(plot::tick_label(t.values[3], t) == "1.5");
  const auto small = plot::nice_ticks(0.00012, 0.00098);
  CHECK(small.step == doctest::Approx(0.0002));
  CHECK(plot::tick_label(small.values[1], small) == "0.0002");
  const auto flat = plot::nice_ticks(0.5, 0.5);  // one value: widened around it
  CHECK(flat.lo < 0.5);
  CHECK(flat.hi > 0.5);
  CHECK_THROWS_AS(plot::nice_ticks(1.0, NAN), Error);
}

TEST_CASE("integer_ticks labels epochs 1..N with at most about ten ticks") {
  CHECK(plot::integer_ticks(5).values == std::vector<double>{1, 2, 3, 4, 5});
  const auto many = plot::integer_ticks(100);
  CHECK(many.step == 20);
  CHECK(many.values.front() == 1);
  CHECK(many.values.size() <= 6);
  CHECK(plot::integer_ticks(1).values == std::vector<double>{1});
}

TEST_CASE("curve_panels puts loss first and pairs each quantity with its validation twin") {
  const History h = sample_history(3);
  const auto panels = plot::curve_panels(h);
  REQUIRE(panels.size() == 3);
  CHECK(panels[0].quantity == "loss");
  CHECK(panels[0].training == &h.history.at("loss"));
  CHECK(panels[0].validation == &h.history.at("val_loss"));
  CHECK(panels[1].quantity == "accuracy");
  CHECK(panels[2].quantity == "learning_rate");
  CHECK(panels[2].validation == nullptr);
  History only_val;
  only_val.record_epoch({{"val_score", 1.0}});
  const auto lone = plot::curve_panels(only_val);
  REQUIRE(lone.size() == 1);
  CHECK(lone[0].quantity == "score");
  CHECK(lone[0].training == nullptr);
}

TEST_CASE("write_training_curves writes a PNG of two panels per row") {
  ScratchDir dir("curves");
  const History h = sample_history(12);
  plot::write_training_curves(dir.path / "history.png", h);
  const std::string png = io::read_file(dir.path / "history.png");
  REQUIRE(png.size() > 8);
  CHECK(std::memcmp(png.data(), "\x89PNG\r\n\x1a\n", 8) == 0);
  const auto size = plot::training_curves_size(h);
  CHECK(size.columns == 2);
  CHECK(size.rows == 2);
  CHECK(png_size(png) == std::pair{size.width, size.height});
  CHECK(size.width == 2 * 520);
}

TEST_CASE("write_training_curves draws one epoch, NaN values and long runs without failing") {
  ScratchDir dir("curves");
  History one;
  one.record_epoch({{"loss", 0.7}});
  CHECK_NOTHROW(plot::write_training_curves(dir.path / "one.png", one));
  History broken;
  for (double v : {1.0, double(NAN), 0.5, double(INFINITY), 0.25}) broken.record_epoch({{"loss", v}, {"val_loss", v * 1.1}});
  CHECK_NOTHROW(plot::write_training_curves(dir.path / "nan.png", broken));
  History all_nan;
  all_nan.record_epoch({{"loss", NAN}});
  CHECK_NOTHROW(plot::write_training_curves(dir.path / "all_nan.png", all_nan));
  CHECK_NOTHROW(plot::write_training_curves(dir.path / "long.png", sample_history(300)));
}

TEST_CASE("write_training_curves refuses an empty history and names a path it cannot write") {
  CHECK_THROWS_WITH_AS(plot::write_training_curves("x.png", History{}), doctest::Contains("empty"), Error);
  CHECK_THROWS_WITH_AS(plot::write_training_curves("/nonexistent_dir_kiln/h.png", sample_history(2)),
                       doctest::Contains("/nonexistent_dir_kiln/h.png"), Error);
  CHECK_THROWS_WITH_AS(plot::write_training_curves("x.png", sample_history(2), {.panel_width = 10}),
                       doctest::Contains("at least 200 x 150"), Error);
}
