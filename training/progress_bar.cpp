#include "training/progress_bar.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "graph/error.hpp"

namespace kiln {

namespace {

constexpr std::size_t kBarWidth = 30;
constexpr double kRedrawInterval = 0.05;  // seconds

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string printf_string(const char* format, double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}

// "3s", "1:02", "1:02:03", as Keras' ETA (whole seconds, truncated).
std::string format_eta(double eta) {
  const long long s = (long long)std::floor(eta);
  char buffer[64];
  if (eta > 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", s / 3600, (s % 3600) / 60, s % 60);
  } else if (eta > 60) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", s / 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%llds", s);
  }
  return buffer;
}

// "2s/step", "80ms/step", "95us/step".
std::string format_step_time(double t) {
  if (t >= 1.0 || t == 0.0) return printf_string("%.0fs/step", t);
  if (t >= 1e-3) return printf_string("%.0fms/step", t * 1e3);
  return printf_string("%.0fus/step", t * 1e6);
}

// " - loss: 0.1234 - accuracy: 0.9000"
std::string format_values(const ProgressBar::Values& values) {
  std::string out;
  for (const auto& [name, v] : values) {
    out += " - " + name + ": " + printf_string(std::fabs(v) > 1e-3 ? "%.4f" : "%.4e", v);
  }
  return out;
}

}  // namespace

bool stream_is_terminal(std::FILE* stream) { return stream && ::isatty(::fileno(stream)) == 1; }

ProgressBar::ProgressBar(std::optional<std::size_t> total_steps, std::ostream& out, bool interactive, Clock clock)
    : total_(total_steps),
      out_(out),
      interactive_(interactive),
      clock_(clock ? std::move(clock) : Clock(steady_seconds)),
      start_(clock_()),
      last_draw_(-std::numeric_limits<double>::infinity()) {
  if (total_ == std::size_t{0}) throw Error("ProgressBar: total_steps must be at least 1, got 0");
}

// Keras' estimate: the mean time of the steps after the first, whose time
// includes one-off setup; the plain mean while only one step is done.
double ProgressBar::estimate_step_time(std::size_t step, double now) {
  if (step == 0) return 0.0;
  const double per_step = (after_first_step_ && step > 1) ? (now - *after_first_step_) / double(step - 1)
                                                          : (now - start_) / double(step);
  if (step == 1) after_first_step_ = now;
  return per_step;
}

// " 7/50 [====>.........................]": the count right-aligned to the
// total's width; "7/Unknown" for a stream.
std::string ProgressBar::counter_and_bar(std::size_t step) const {
  if (!total_) return std::to_string(step) + "/Unknown";
  const std::size_t total_steps = *total_;
  const std::string total = std::to_string(total_steps);
  std::string count = std::to_string(step);
  if (count.size() < total.size()) count.insert(0, total.size() - count.size(), ' ');
  const std::size_t filled = std::min(kBarWidth, std::size_t(double(kBarWidth) * double(step) / double(total_steps)));
  std::string bar(kBarWidth, '.');
  if (filled > 0) {
    bar.replace(0, filled - 1, filled - 1, '=');
    bar[filled - 1] = step < total_steps ? '>' : '=';
  }
  return count + "/" + total + " [" + bar + "]";
}

void ProgressBar::draw(const std::string& line, bool last) {
  out_ << '\r' << line;
  if (drawn_width_ > line.size()) out_ << std::string(drawn_width_ - line.size(), ' ');
  drawn_width_ = line.size();
  if (last) out_ << '\n';
  out_.flush();
}

void ProgressBar::update(std::size_t step, const Values& values) {
  const double now = clock_();
  step_time_ = estimate_step_time(step, now);
  seen_ = step;
  last_update_ = now;
  if (!interactive_) return;
  const bool last = total_ && step >= *total_;
  if (now - last_draw_ < kRedrawInterval && !last) return;
  last_draw_ = now;
  if (!total_) {
    draw(counter_and_bar(step) + " - " + printf_string("%.0fs", now - start_) + " " + format_step_time(step_time_) +
             format_values(values),
         false);
    return;
  }
  const double eta = step_time_ * double(*total_ - std::min(step, *total_));
  draw(counter_and_bar(step) + " - ETA: " + format_eta(eta) + format_values(values), false);
}

void ProgressBar::finish(const Values& values) {
  const double end = last_update_ ? *last_update_ : clock_();
  const std::string line = counter_and_bar(seen_) + " - " + printf_string("%.0fs", end - start_) + " " +
                           format_step_time(step_time_) + format_values(values);
  if (interactive_) {
    draw(line, true);
  } else {
    out_ << line << '\n';
    out_.flush();
  }
}

}  // namespace kiln
