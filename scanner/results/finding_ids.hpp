// Ids of the findings the audit reports, shared by the code that makes them and the reports.
#pragma once

namespace relayaudit {

// An MX that refuses mail for a domain it is an MX of.
inline constexpr const char* kFindingMxRefusesDomain = "mx-refuses-domain-mail";

}  // namespace relayaudit
