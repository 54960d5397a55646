#pragma once
// Translating with the Transformer (transformer_model.hpp), with the same
// contract as decoding.hpp's GRU Decoder: start from '<sos>', feed back the
// chosen word, stop at '<eos>' (or padding) or after fr_timesteps - 1 words;
// greedy decoding many sentences at once, beam search one sentence at a time
// (hypotheses scored by their length-normalised log-probability). The
// attention kept with each word is the last decoder block's
// cross-attention, averaged over heads (and, on request, per head).
//
// With the cache (the default) each decoded step runs the decoder on the new
// position only, from every block's cached keys and values; without it the
// decoder reruns the whole prefix at every step (to measure what the cache
// saves). Both give the same words.

#include <string>
#include <vector>

#include "examples/nmt/decoding.hpp"
#include "examples/nmt/transformer_model.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

class TransformerDecoding {
 public:
  // `fr` must know the model's start and end markers (kiln::Error otherwise).
  TransformerDecoding(const TransformerSeq2Seq& model, const kiln::text::Tokenizer& fr, bool use_cache = true);

  // One translation per row of English ids (N, en_timesteps), `batch_size`
  // sentences at a time. `heads`, if set, receives per sentence the
  // attention of each head, (ids, en_timesteps) each.
  std::vector<Translation> greedy(const kiln::Array& source_ids, std::size_t batch_size = 256,
                                  std::vector<std::vector<kiln::Array>>* heads = nullptr) const;
  std::vector<Translation> beam_search(const kiln::Array& source_ids, std::size_t beam,
                                       std::vector<std::vector<kiln::Array>>* heads = nullptr) const;
  // greedy() for beam 1, else beam_search().
  std::vector<Translation> translate(const kiln::Array& source_ids, std::size_t beam,
                                     std::vector<std::vector<kiln::Array>>* heads = nullptr) const;

 private:
  struct Hypothesis;
  std::vector<Translation> greedy_batch(const kiln::Array& source_ids, std::vector<std::vector<kiln::Array>>* heads) const;
  Translation beam_one(const kiln::Array& source_row, std::size_t beam, std::vector<kiln::Array>* heads) const;
  // The logits (rows, fr_vocab) of the next word of each prefix: from the
  // caches, or by rerunning the decoder over `prefixes`.
  kiln::Array next_logits(const std::vector<std::vector<int>>& prefixes, const kiln::Tensor& encoder_out,
                          std::vector<kiln::TransformerDecoderCache>& caches, const kiln::Array& source_mask,
                          kiln::Array* cross_weights) const;
  Translation finish(const Hypothesis& h) const;
  bool ends(int id) const { return id == end_id_ || id == 0; }

  const TransformerSeq2Seq& model_;
  const kiln::text::Tokenizer& fr_;
  bool use_cache_;
  int start_id_, end_id_;
};

}  // namespace nmt
