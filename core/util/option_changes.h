#pragma once
// What changed between the options a checkpoint was saved with and the ones a resumed run uses,
// for the notes of a resumed run: "max_updates 8 -> 10, routers.switch_top1.capacity_factor 1.25 -> 2.0".
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

// Objects are compared key by key down to their leaves (dotted paths); other values whole, shown
// shortened. Keys missing from `saved` are listed as "(unset) -> ..." when `listUnset`, else
// skipped (a checkpoint from before an option existed). "" when nothing differs or `saved` is not
// an object.
std::string changedOptions(const nlohmann::json& saved, const nlohmann::json& now, bool listUnset);

}  // namespace automoe
