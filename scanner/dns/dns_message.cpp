// The only place that speaks ldns: query construction and answer parsing.
#include "dns/dns_message.hpp"

#include <stdbool.h>  // before ldns: it defines bool/true/false as macros in C++ otherwise

#include <ldns/ldns.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

namespace relayaudit::dns_detail {
namespace {

struct LdnsFree {
  void operator()(ldns_pkt* packet) const { ldns_pkt_free(packet); }
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
  void operator()(char* text) const { std::free(text); }
  void operator()(std::uint8_t* wire) const { std::free(wire); }
};
template <typename T>
using LdnsPtr = std::unique_ptr<T, LdnsFree>;

std::string rdf_text(const ldns_rdf* rdf) {
  if (rdf == nullptr) return {};
  LdnsPtr<char> text(ldns_rdf2str(rdf));
  return text ? std::string(text.get()) : std::string();
}

// ldns prints names with a trailing dot; answers are compared and shown without it.
std::string dname_text(const ldns_rdf* rdf) {
  std::string text = rdf_text(rdf);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text.size() > 1 && text.back() == '.') text.pop_back();
  return text;
}

// TXT: each rdf is one character-string, length-prefixed.
std::string txt_text(const ldns_rr* rr) {
  std::string text;
  for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
    const std::uint8_t* data = ldns_rdf_data(rdf);
    const std::size_t size = ldns_rdf_size(rdf);
    if (size == 0) continue;
    const std::size_t length = std::min<std::size_t>(data[0], size - 1);
    text.append(reinterpret_cast<const char*>(data + 1), length);
  }
  return text;
}

std::optional<DnsRecord> to_record(const ldns_rr* rr) {
  DnsRecord record;
  record.name = dname_text(ldns_rr_owner(rr));
  record.type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
  record.ttl = ldns_rr_ttl(rr);
  switch (ldns_rr_get_type(rr)) {
    case LDNS_RR_TYPE_A:
    case LDNS_RR_TYPE_AAAA:
      if (ldns_rr_rd_count(rr) != 1) return std::nullopt;
      record.text = rdf_text(ldns_rr_rdf(rr, 0));
      break;
    case LDNS_RR_TYPE_CNAME:
      if (ldns_rr_rd_count(rr) != 1) return std::nullopt;
      record.text = dname_text(ldns_rr_rdf(rr, 0));
      break;
    case LDNS_RR_TYPE_MX:
      if (ldns_rr_rd_count(rr) != 2) return std::nullopt;
      record.preference = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
      record.text = dname_text(ldns_rr_rdf(rr, 1));
      break;
    case LDNS_RR_TYPE_TXT:
      record.text = txt_text(rr);
      break;
    default:
      return std::nullopt;
  }
  return record;
}

}  // namespace

std::optional<std::string> canonical_dns_name(std::string_view name) {
  if (name.empty()) return std::nullopt;
  LdnsPtr<ldns_rdf> rdf(ldns_dname_new_frm_str(std::string(name).c_str()));
  if (!rdf) return std::nullopt;
  return dname_text(rdf.get());
}

std::variant<std::vector<std::uint8_t>, std::string> build_query(const std::string& name,
                                                                 std::uint16_t type,
                                                                 std::uint16_t id, bool edns,
                                                                 std::uint16_t payload_size) {
  ldns_rdf* owner = ldns_dname_new_frm_str(name.c_str());
  if (owner == nullptr) return "'" + name + "' is not a valid DNS name";
  // The packet owns `owner` from here on.
  LdnsPtr<ldns_pkt> packet(
      ldns_pkt_query_new(owner, static_cast<ldns_rr_type>(type), LDNS_RR_CLASS_IN, LDNS_RD));
  if (!packet) return std::string("cannot build a query (out of memory)");
  ldns_pkt_set_id(packet.get(), id);
  if (edns) ldns_pkt_set_edns_udp_size(packet.get(), payload_size);
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  const ldns_status status = ldns_pkt2wire(&wire, packet.get(), &size);
  LdnsPtr<std::uint8_t> owned(wire);
  if (status != LDNS_STATUS_OK) {
    return "cannot encode a query for '" + name + "': " + ldns_get_errorstr_by_id(status);
  }
  return std::vector<std::uint8_t>(wire, wire + size);
}

std::string rcode_name(std::uint8_t rcode) {
  const ldns_lookup_table* entry = ldns_lookup_by_id(ldns_rcodes, rcode);
  if (entry != nullptr && entry->name != nullptr) return entry->name;
  return "RCODE" + std::to_string(rcode);
}

std::variant<DnsResponse, std::string> parse_response(const std::uint8_t* data, std::size_t size) {
  ldns_pkt* raw = nullptr;
  const ldns_status status = ldns_wire2pkt(&raw, data, size);
  LdnsPtr<ldns_pkt> packet(raw);
  if (status != LDNS_STATUS_OK) return std::string(ldns_get_errorstr_by_id(status));

  DnsResponse response;
  response.id = ldns_pkt_id(packet.get());
  response.is_response = ldns_pkt_qr(packet.get());
  response.truncated = ldns_pkt_tc(packet.get());
  response.authoritative = ldns_pkt_aa(packet.get());
  response.rcode = static_cast<std::uint8_t>(ldns_pkt_get_rcode(packet.get()));
  const ldns_rr_list* question = ldns_pkt_question(packet.get());
  if (question == nullptr || ldns_rr_list_rr_count(question) != 1) {
    return std::string("the answer does not carry exactly one question");
  }
  const ldns_rr* asked = ldns_rr_list_rr(question, 0);
  response.question_name = dname_text(ldns_rr_owner(asked));
  response.question_type = static_cast<std::uint16_t>(ldns_rr_get_type(asked));
  response.question_class = static_cast<std::uint16_t>(ldns_rr_get_class(asked));

  const ldns_rr_list* answer = ldns_pkt_answer(packet.get());
  for (std::size_t i = 0; answer != nullptr && i < ldns_rr_list_rr_count(answer); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) continue;
    if (auto record = to_record(rr)) response.answers.push_back(std::move(*record));
  }
  const ldns_rr_list* authority = ldns_pkt_authority(packet.get());
  for (std::size_t i = 0; authority != nullptr && i < ldns_rr_list_rr_count(authority); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(authority, i);
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) response.authority_has_soa = true;
    if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS && ldns_rr_rd_count(rr) == 1) {
      response.referral_servers.push_back(dname_text(ldns_rr_rdf(rr, 0)));
    }
  }
  return response;
}

}  // namespace relayaudit::dns_detail
