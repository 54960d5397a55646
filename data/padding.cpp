#include "data/padding.hpp"

#include <algorithm>
#include <string>

#include "graph/error.hpp"

namespace kiln {

namespace {

std::size_t rows_of(const Array& a) { return a.dimension() == 0 ? 1 : a.shape()[0]; }

// The arrays at one position of every sample ("x[1]" of each) as one array.
Array stack_position(const std::vector<const Array*>& parts, const std::string& what, PadSide side,
                     const SequencePadding& padding) {
  const Array& first = *parts[0];
  if (first.dimension() == 0) throw ShapeError("pad_and_stack: " + what + " is a scalar; samples need a batch axis");
  const bool sequence = first.dimension() >= 2;
  std::size_t total_rows = 0, longest = 0;
  for (const Array* a : parts) {
    const bool same_tail = a->dimension() == first.dimension() &&
                           std::equal(first.shape().begin() + (sequence ? 2 : 1), first.shape().end(),
                                      a->shape().begin() + (sequence ? 2 : 1));
    if (!same_tail) throw_shape_error("pad_and_stack", what + " of two samples differ beyond the sequence axis:", first.shape(), a->shape());
    total_rows += rows_of(*a);
    if (sequence) longest = std::max(longest, a->shape()[1]);
  }
  if (sequence && padding.length) {
    if (longest > *padding.length) {
      throw ShapeError("pad_and_stack: " + what + " has a sequence of " + std::to_string(longest) +
                       " steps, longer than the padding length " + std::to_string(*padding.length));
    }
    longest = *padding.length;
  }
  Shape shape = first.shape();
  shape[0] = total_rows;
  if (sequence) shape[1] = longest;
  Array out = Array::from_shape(shape);
  std::fill(out.begin(), out.end(), padding.value);
  const std::size_t step = sequence ? out.size() / std::max<std::size_t>(1, total_rows * longest) : 0;
  float* dst = out.data();
  for (const Array* a : parts) {
    if (!sequence) {
      dst = std::copy(a->data(), a->data() + a->size(), dst);
      continue;
    }
    const std::size_t rows = a->shape()[0], steps = a->shape()[1];
    const std::size_t offset = side == PadSide::pre ? longest - steps : 0;
    for (std::size_t r = 0; r < rows; ++r) {
      const float* src = a->data() + r * steps * step;
      std::copy(src, src + steps * step, dst + (r * longest + offset) * step);
    }
    dst += rows * longest * step;
  }
  return out;
}

std::vector<Array> stack_list(const std::vector<Batch>& samples, const std::vector<Array> Batch::*list, const char* name,
                              const SequencePadding& padding, bool inputs) {
  const std::size_t count = (samples[0].*list).size();
  std::vector<Array> out;
  for (std::size_t k = 0; k < count; ++k) {
    std::vector<const Array*> parts;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const auto& arrays = samples[i].*list;
      if (arrays.size() != count) {
        throw ShapeError(std::string("pad_and_stack: sample 0 has ") + std::to_string(count) + " " + name +
                         " arrays but sample " + std::to_string(i) + " has " + std::to_string(arrays.size()));
      }
      parts.push_back(&arrays[k]);
    }
    const PadSide side = inputs && k < padding.x_sides.size() ? padding.x_sides[k] : padding.side;
    out.push_back(stack_position(parts, std::string(name) + "[" + std::to_string(k) + "]", side, padding));
  }
  return out;
}

}  // namespace

Batch pad_and_stack(const std::vector<Batch>& samples, const SequencePadding& padding) {
  if (samples.empty()) throw Error("pad_and_stack: no samples");
  Batch out;
  out.x = stack_list(samples, &Batch::x, "x", padding, true);
  out.y = stack_list(samples, &Batch::y, "y", padding, false);
  const bool weighted = samples[0].sample_weight.has_value();
  std::vector<const Array*> weights;
  for (const auto& s : samples) {
    if (s.sample_weight.has_value() != weighted) {
      throw Error("pad_and_stack: some samples have sample weights and some do not");
    }
    if (weighted) weights.push_back(&*s.sample_weight);
  }
  // Padded steps weigh nothing.
  if (weighted) out.sample_weight = stack_position(weights, "sample_weight", padding.side, {.length = padding.length});
  return out;
}

std::size_t sequence_length(const Batch& sample) {
  if (sample.x.empty() || sample.x[0].dimension() < 2) {
    throw ShapeError("sequence_length: the sample's first input needs a sequence axis (rows, steps, ...), got " +
                     (sample.x.empty() ? std::string("no inputs") : to_string(sample.x[0].shape())));
  }
  return sample.x[0].shape()[1];
}

}  // namespace kiln
