#pragma once
// Turning English id rows into French words with the inference models, as
// the seed's infer_nmt does: encode once, then feed the decoder its own
// previous word, starting from '<sos>', until it says '<eos>' (or the padding
// id 0, which the model predicts only after '<eos>') or fr_timesteps - 1
// words have been produced.
//
// Greedy decoding takes the most probable word at every step and runs many
// sentences at once. Beam search keeps the K best partial translations; a
// hypothesis that ends is scored by its length-normalised log-probability,
// sum(log p(word)) / (number of words produced, '<eos>' included), and the
// best such score wins (hypotheses cut by the step limit compete too). With
// K = 1 it is greedy decoding.

#include <string>
#include <vector>

#include "examples/nmt/seq2seq.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

struct Translation {
  std::vector<std::string> words;  // French, without '<sos>' / '<eos>'
  std::vector<int> ids;            // every id produced, the final '<eos>' included
  kiln::Array attention;           // (ids.size(), en_timesteps): row t while producing ids[t]
  double log_probability = 0.0;    // sum of log p over ids
};

class Decoder {
 public:
  // `fr` must know '<sos>' and '<eos>' (kiln::Error otherwise).
  Decoder(const Seq2Seq& model, const kiln::text::Tokenizer& fr);

  // One translation per row of source ids (N, en_timesteps), greedily,
  // `batch_size` sentences at a time.
  std::vector<Translation> greedy(const kiln::Array& source_ids, std::size_t batch_size = 256) const;
  // Beam search with `beam` >= 1 hypotheses, one sentence per row.
  std::vector<Translation> beam_search(const kiln::Array& source_ids, std::size_t beam) const;
  // greedy() when beam == 1, else beam_search().
  std::vector<Translation> translate(const kiln::Array& source_ids, std::size_t beam) const;

 private:
  struct StepResult;
  StepResult step(const std::vector<int>& previous, const kiln::Tensor& encoder_out, const kiln::Array& state) const;
  std::vector<Translation> greedy_batch(const kiln::Array& source_ids) const;
  Translation beam_search_one(const kiln::Array& source_row, std::size_t beam) const;
  Translation finish(std::vector<int> ids, const std::vector<std::vector<float>>& attention_rows,
                     double log_probability) const;
  bool ends(int id) const { return id == end_id_ || id == 0; }

  const Seq2Seq& model_;
  const kiln::text::Tokenizer& fr_;
  int start_id_, end_id_;
};

}  // namespace nmt
