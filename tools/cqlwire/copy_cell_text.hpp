// One cell as COPY TO writes it: the lossless text of the CSV output (render.hpp's data form:
// text as stored, floats and doubles in the shortest exact form, composite values as CQL
// literals), with what COPY's options change at the top level: BOOLSTYLE's words,
// FLOATPRECISION / DOUBLEPRECISION (cqlsh's rounding, when given), DATETIMEFORMAT for
// timestamps, and DECIMALSEP / THOUSANDSSEP for numbers.
#pragma once

#include <string>

#include "copy_options.hpp"
#include "cqlwire/protocol/value_view.hpp"

namespace cqlwire::cli {

// Writes the non-null cell `v` into `out` (replacing what it held). When it does not decode,
// returns false with `out` holding its bytes marked as undecodable and `reason` saying why.
bool copy_cell_text(const protocol::value_view& v, const copy_options& o, std::string& out, std::string& reason);

}  // namespace cqlwire::cli
