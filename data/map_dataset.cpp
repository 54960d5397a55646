#include "data/map_dataset.hpp"

namespace kiln {

MapDataset::MapDataset(std::shared_ptr<Dataset> source, BatchFunction f) : source_(std::move(source)), f_(std::move(f)) {
  if (!f_) throw Error("Dataset::map: the function is empty");
}

}  // namespace kiln
