// The Keras-style progress bar, byte for byte, with a fake clock.

#include <cstdio>
#include <sstream>

#include "graph/error.hpp"
#include "support.hpp"
#include "training/progress_bar.hpp"

using namespace kiln;

namespace {

// A clock the test moves by hand.
struct FakeClock {
  double now = 0.0;
  ProgressBar::Clock clock() {
    return [this] { return now; };
  }
};

const std::string kFull = "[==============================]";

}  // namespace

TEST_CASE("on a terminal the bar is redrawn in place, then replaced by the epoch line") {
  FakeClock t;
  std::ostringstream out;
  ProgressBar bar(5, out, true, t.clock());

  t.now = 1.0;  // step 1 took 1 s: ETA 4 x 1 s
  bar.update(1, {{"loss", 0.5}, {"accuracy", 0.25}});
  const std::string line1 = "1/5 [=====>........................] - ETA: 4s - loss: 0.5000 - accuracy: 0.2500";
  CHECK(out.str() == "\r" + line1);

  t.now = 1.02;  // within 50 ms of the last redraw: skipped
  bar.update(2, {{"loss", 0.3}});
  CHECK(out.str() == "\r" + line1);

  t.now = 2.0;  // (2 - 1) s over steps 2..3: 0.5 s/step, ETA 2 x 0.5 s; the shorter line is padded
  bar.update(3, {{"loss", 0.25}});
  const std::string line3 = "3/5 [=================>............] - ETA: 1s - loss: 0.2500";
  CHECK(out.str() == "\r" + line1 + "\r" + line3 + std::string(line1.size() - line3.size(), ' '));

  t.now = 3.0;  // the last step is always drawn
  bar.update(5, {{"loss", 0.2}});
  const std::string line5 = "5/5 " + kFull + " - ETA: 0s - loss: 0.2000";

  t.now = 9.0;  // validation time after the last step is not counted
  bar.finish({{"loss", 0.2}, {"val_loss", 0.0001}});
  const std::string last = "5/5 " + kFull + " - 3s 500ms/step - loss: 0.2000 - val_loss: 1.0000e-04\n";
  CHECK(out.str() ==
        "\r" + line1 + "\r" + line3 + std::string(line1.size() - line3.size(), ' ') + "\r" + line5 + "\r" + last);
}

TEST_CASE("into a file or pipe only the epoch line is written") {
  FakeClock t;
  std::ostringstream out;
  ProgressBar bar(5, out, false, t.clock());
  for (std::size_t step = 1; step <= 5; ++step) {
    t.now = double(step);
    bar.update(step, {{"loss", 1.0 / double(step)}});
  }
  CHECK(out.str().empty());
  bar.finish({{"loss", 0.2}, {"accuracy", -0.5}});
  CHECK(out.str() == "5/5 " + kFull + " - 5s 1s/step - loss: 0.2000 - accuracy: -0.5000\n");
}

TEST_CASE("the step count is right-aligned to the total's width") {
  FakeClock t;
  std::ostringstream out;
  ProgressBar bar(50, out, true, t.clock());
  t.now = 1.0;  // 1/7 s per step, 43 steps left: 6.1 s
  bar.update(7, {});
  CHECK(out.str() == "\r 7/50 [===>..........................] - ETA: 6s");
}

TEST_CASE("ETA reads 1:02 past a minute and 27:45:00 past an hour") {
  FakeClock t;
  std::ostringstream minutes, hours;
  ProgressBar short_bar(2, minutes, true, t.clock());
  ProgressBar long_bar(1000, hours, true, t.clock());
  t.now = 62.5;
  short_bar.update(1, {});
  CHECK(minutes.str() == "\r1/2 [==============>...............] - ETA: 1:02");
  t.now = 100.0;  // 100 s per step, 999 steps left: 99900 s
  long_bar.update(1, {});
  CHECK(hours.str() == "\r   1/1000 [..............................] - ETA: 27:45:00");
}

TEST_CASE("time per step reads s, ms or us per step") {
  FakeClock t;
  std::ostringstream slow, fast, none;
  ProgressBar slow_bar(2, slow, false, t.clock());
  ProgressBar fast_bar(1000, fast, false, t.clock());
  ProgressBar empty_bar(5, none, false, t.clock());
  t.now = 2.0;
  slow_bar.update(1, {});
  t.now = 0.095;  // fast_bar: 1000 steps in 95 ms
  fast_bar.update(1000, {{"loss", 0.001}});
  t.now = 4.0;
  slow_bar.update(2, {});
  slow_bar.finish({});
  fast_bar.finish({{"loss", 0.001}});
  empty_bar.finish({});
  CHECK(slow.str() == "2/2 " + kFull + " - 4s 2s/step\n");
  CHECK(fast.str() == "1000/1000 " + kFull + " - 0s 95us/step - loss: 1.0000e-03\n");
  CHECK(none.str() == "0/5 [..............................] - 4s 0s/step\n");
}

TEST_CASE("a bar needs at least one step, and files are not terminals") {
  std::ostringstream out;
  CHECK_THROWS_WITH_AS(ProgressBar(0, out, true), "ProgressBar: total_steps must be at least 1, got 0", Error);
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  CHECK_FALSE(stream_is_terminal(file));
  std::fclose(file);
  CHECK_FALSE(stream_is_terminal(nullptr));
}

TEST_CASE("for a stream of unknown length the bar shows the step count, the time and the time per step, no ETA") {
  FakeClock t;
  std::ostringstream out;
  ProgressBar bar(std::nullopt, out, true, t.clock());
  t.now = 1.0;
  bar.update(1, {{"loss", 0.5}});
  const std::string line1 = "1/Unknown - 1s 1s/step - loss: 0.5000";
  CHECK(out.str() == "\r" + line1);
  t.now = 1.5;  // (1.5 - 1) s over step 2
  bar.update(2, {{"loss", 0.25}});
  const std::string line2 = "2/Unknown - 2s 500ms/step - loss: 0.2500";
  CHECK(out.str() == "\r" + line1 + "\r" + line2);
  bar.finish({{"loss", 0.25}});
  CHECK(out.str() == "\r" + line1 + "\r" + line2 + "\r2/Unknown - 2s 500ms/step - loss: 0.2500\n");
}
