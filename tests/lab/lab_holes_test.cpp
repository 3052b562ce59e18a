// The one-hole profiles: each accepts exactly its script's form, closed refuses it, and
// expected_failing_scripts (the oracle of the scan tests) says so for every script.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "lab_client.hpp"
#include "lab_runner.hpp"

namespace relayaudit::testing {
namespace {

const std::string kUser = "relayaudit-probe";
const std::string kExt = "relayaudit-external.invalid";
const std::string kExtTo = kUser + "@" + kExt;
const std::string kExtFrom = "relayaudit-sender@" + kExt;
const std::string kEhloName = "scanner.relayaudit.test";
const std::string kRandom = "k3x9q0m2za";
const std::string kMailDomain = "lab.relayaudit.test";
const std::string kRelayedDomain = "corp.relayaudit.test";
const std::string kAccepted = "250 2.1.5 Ok";

// Every relay-attempt script of the library, written out independently of the lab's oracle.
const std::vector<std::string> kRelayScripts{
    "relay-external-sender",
    "relay-submission-no-auth",
    "relay-null-sender",
    "relay-random-host-sender",
    "relay-localhost-sender",
    "relay-unqualified-sender",
    "relay-host-name-sender",
    "relay-spoofed-local-sender",
    "relay-ip-literal-sender",
    "relay-postmaster-sender",
    "relay-percent-hack-ip",
    "relay-percent-hack-name",
    "relay-quoted-at",
    "relay-quoted-percent",
    "relay-double-at-ip",
    "relay-double-at-name",
    "relay-quoted-at-ip",
    "relay-quoted-at-name",
    "relay-source-route-ip",
    "relay-source-route-name",
    "relay-bang-path",
    "relay-bang-path-ip",
    "relay-bang-path-name",
    "relay-percent-null-domain",
    "relay-double-at-null-domain",
    "relay-helo-localhost",
    "relay-helo-own-name",
    "relay-helo-ip-literal",
    "relay-after-local-recipient",
    "relay-null-sender-after-local-recipient",
    "relay-percent-hack-domain",
    "relay-bang-path-domain",
    "relay-double-at-domain",
    "relay-quoted-at-domain",
    "relay-source-route-domain",
};

std::string address_literal(const LabGateway& gateway) {
  if (gateway.address.find(':') != std::string::npos) return "[IPv6:" + gateway.address + "]";
  return "[" + gateway.address + "]";
}

// One script's commands as a scanner expands them against this gateway.
struct Attempt {
  std::string id;
  std::string helo;  // re-issued before the test; empty: the default name stays
  std::string mail_from;
  std::string rcpt_to;
  std::string first_rcpt_to = {};  // a local recipient asked first, in the same transaction
};

std::vector<Attempt> relay_attempts(const LabGateway& gateway) {
  const std::string& host = gateway.host_name;
  const std::string ip = address_literal(gateway);
  const std::string routed = kUser + "@" + kExt;
  return {
      {"relay-external-sender", "", kExtFrom, kExtTo},
      {"relay-submission-no-auth", "", kExtFrom, kExtTo},
      {"relay-null-sender", "", "", kExtTo},
      {"relay-random-host-sender", "", "relayaudit-sender@" + kRandom + "." + kExt, kExtTo},
      {"relay-localhost-sender", "", "relayaudit-sender@localhost", kExtTo},
      {"relay-unqualified-sender", "", "relayaudit-sender", kExtTo},
      {"relay-host-name-sender", "", "relayaudit-sender@" + host, kExtTo},
      {"relay-spoofed-local-sender", "", "relayaudit-sender@" + kMailDomain, kExtTo},
      {"relay-ip-literal-sender", "", "relayaudit-sender@" + ip, kExtTo},
      {"relay-postmaster-sender", "", "postmaster@" + host, kExtTo},
      {"relay-percent-hack-ip", "", kExtFrom, kUser + "%" + kExt + "@" + ip},
      {"relay-percent-hack-name", "", kExtFrom, kUser + "%" + kExt + "@" + host},
      {"relay-quoted-at", "", kExtFrom, "\"" + routed + "\""},
      {"relay-quoted-percent", "", kExtFrom, "\"" + kUser + "%" + kExt + "\""},
      {"relay-double-at-ip", "", kExtFrom, routed + "@" + ip},
      {"relay-double-at-name", "", kExtFrom, routed + "@" + host},
      {"relay-quoted-at-ip", "", kExtFrom, "\"" + routed + "\"@" + ip},
      {"relay-quoted-at-name", "", kExtFrom, "\"" + routed + "\"@" + host},
      {"relay-source-route-ip", "", kExtFrom, "@" + ip + ":" + routed},
      {"relay-source-route-name", "", kExtFrom, "@" + host + ":" + routed},
      {"relay-bang-path", "", kExtFrom, kExt + "!" + kUser},
      {"relay-bang-path-ip", "", kExtFrom, kExt + "!" + kUser + "@" + ip},
      {"relay-bang-path-name", "", kExtFrom, kExt + "!" + kUser + "@" + host},
      {"relay-percent-null-domain", "", kExtFrom, kUser + "%" + kExt + "@"},
      {"relay-double-at-null-domain", "", kExtFrom, routed + "@"},
      {"relay-helo-localhost", "localhost", kExtFrom, kExtTo},
      {"relay-helo-own-name", host, kExtFrom, kExtTo},
      {"relay-helo-ip-literal", ip, kExtFrom, kExtTo},
      {"relay-after-local-recipient", "", kExtFrom, kExtTo, "postmaster@" + host},
      {"relay-null-sender-after-local-recipient", "", "", kExtTo, "postmaster@" + host},
      // The "-domain" twins, at the domain hole-routed-at-domain relays for (--mail-domain).
      {"relay-percent-hack-domain", "", kExtFrom, kUser + "%" + kExt + "@" + kRelayedDomain},
      {"relay-bang-path-domain", "", kExtFrom, kExt + "!" + kUser + "@" + kRelayedDomain},
      {"relay-double-at-domain", "", kExtFrom, routed + "@" + kRelayedDomain},
      {"relay-quoted-at-domain", "", kExtFrom, "\"" + routed + "\"@" + kRelayedDomain},
      {"relay-source-route-domain", "", kExtFrom, "@" + kRelayedDomain + ":" + routed},
  };
}

// What one attempt got: the RCPT reply, or the refusal that came before it.
struct Outcome {
  SmtpReply reply;
  bool reached_rcpt = false;
  std::vector<std::string> probe_errors;  // probes and control that got the wrong answer
};

// A scanner's session reduced to what the oracle assumes: HELO when EHLO is refused, the null
// sender when the external sender is refused, RSET between tests, the default name restored
// after a HELO trick.
class ScriptedScan {
 public:
  explicit ScriptedScan(const LabGateway& gateway, bool check_probes)
      : gateway_(gateway), client_(gateway), check_probes_(check_probes) {}

  bool greet() { return client_.read_reply().code == 220 && say_hello(kEhloName); }

  Outcome run(const Attempt& attempt) {
    Outcome outcome;
    if (!attempt.helo.empty() && !say_hello(attempt.helo)) {
      // Greeted again the way the server accepts (EHLO, else HELO), like the scanner does.
      say_hello(kEhloName);
      return outcome;
    }
    outcome.reply = client_.command("MAIL FROM:<" + attempt.mail_from + ">");
    if (outcome.reply.code != 250 && attempt.mail_from == kExtFrom) {
      outcome.reply = client_.command("MAIL FROM:<>");
    }
    if (outcome.reply.code == 250) {
      outcome.reached_rcpt = true;
      if (!attempt.first_rcpt_to.empty())
        client_.command("RCPT TO:<" + attempt.first_rcpt_to + ">");
      outcome.reply = client_.command("RCPT TO:<" + attempt.rcpt_to + ">");
      // After an accepted local recipient, a per-transaction hole takes anything: the probes
      // are checked in transactions that hold none.
      if (check_probes_ && attempt.first_rcpt_to.empty()) check_probes(outcome);
    }
    client_.command("RSET");
    if (!attempt.helo.empty()) say_hello(kEhloName);
    return outcome;
  }

 private:
  bool say_hello(const std::string& name) {
    return client_.command("EHLO " + name).code == 250 ||
           client_.command("HELO " + name).code == 250;
  }

  // The probes and the control, in the same transaction as the attempt, so with its sender and
  // HELO name: a hole must not turn any of them.
  void check_probes(Outcome& outcome) {
    const std::string unknown = "relayaudit-" + kRandom + "@";
    const std::vector<std::pair<std::string, int>> probes{
        {unknown + kMailDomain, 550},       {unknown + gateway_.host_name, 550},
        {unknown + "[0.0.0.0]", 554},       {"postmaster@" + gateway_.host_name, 250},
        {"postmaster@" + kMailDomain, 250},
    };
    for (const auto& [recipient, code] : probes) {
      SmtpReply reply = client_.command("RCPT TO:<" + recipient + ">");
      if (reply.code != code) outcome.probe_errors.push_back(recipient + " got " + reply.last());
    }
  }

  const LabGateway& gateway_;
  LabClient client_;
  bool check_probes_;
};

bool is_hole(LabProfile profile) {
  auto holes = hole_profiles();
  return std::find(holes.begin(), holes.end(), profile) != holes.end();
}

bool checks_senders(LabProfile profile) {
  return profile == LabProfile::sender_check ||
         profile == LabProfile::hole_percent_hack_sender_check;
}

// Runs every relay script on every gateway and compares what was accepted with the oracle.
void check_every_script_on_every_profile(const std::string& bind_address) {
  std::vector<LabGatewayConfig> configs;
  for (LabProfile profile :
       {LabProfile::closed, LabProfile::open, LabProfile::ehlo_reject, LabProfile::sender_check}) {
    configs.push_back(LabGatewayConfig{profile, bind_address, 0});
  }
  for (LabProfile profile : hole_profiles()) {
    configs.push_back(LabGatewayConfig{profile, bind_address, 0});
  }
  LabRunner lab(configs);
  if (lab.start_error()) GTEST_SKIP() << "cannot bind " << *lab.start_error();
  for (const LabGateway& gateway : lab.gateways()) {
    SCOPED_TRACE(gateway.host_name);
    bool answers_probes = gateway.profile == LabProfile::closed || is_hole(gateway.profile) ||
                          checks_senders(gateway.profile);
    ScriptedScan scan(gateway, answers_probes);
    ASSERT_TRUE(scan.greet());
    std::set<std::string> accepted;
    for (const Attempt& attempt : relay_attempts(gateway)) {
      SCOPED_TRACE(attempt.id);
      Outcome outcome = scan.run(attempt);
      if (outcome.reply.last() == kAccepted) {
        accepted.insert(attempt.id);
      } else if (answers_probes) {
        // Refused as a relay attempt at RCPT, or at MAIL by the sender check.
        bool relay_denied = outcome.reached_rcpt && outcome.reply.code == 554 &&
                            outcome.reply.last().ends_with(">: Relay access denied");
        bool sender_refused = !outcome.reached_rcpt && outcome.reply.code == 553;
        EXPECT_TRUE(relay_denied || (sender_refused && checks_senders(gateway.profile)))
            << outcome.reply.last();
      }
      for (const auto& error : outcome.probe_errors) ADD_FAILURE() << error;
    }
    std::set<std::string> expected;
    for (auto id : expected_failing_scripts(gateway.profile)) expected.insert(std::string(id));
    EXPECT_EQ(accepted, expected);
  }
  EXPECT_EQ(lab.stop().loop_close, 0);
}

TEST(LabHoles, EachHoleAcceptsExactlyItsScriptsAndClosedRefusesThemAll) {
  check_every_script_on_every_profile("127.0.0.1");
}

TEST(LabHoles, AddressLiteralHolesWorkOnIpv6Too) {
  check_every_script_on_every_profile("::1");
}

// The form of one script on its hole, and the same command on closed, word for word.
TEST(LabHoles, HoleAcceptsItsFormWhereClosedAnswers554) {
  for (LabProfile profile : hole_profiles()) {
    if (profile == LabProfile::hole_percent_hack_sender_check) continue;  // see SenderCheck
    SCOPED_TRACE(std::string(to_string(profile)));
    LabRunner lab({LabGatewayConfig{profile, "127.0.0.1", 0},
                   LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0}});
    const std::string script(expected_failing_scripts(profile).front());
    for (std::size_t index : {0u, 1u}) {
      auto attempts = relay_attempts(lab.gateway(index));  // with this gateway's own names
      auto attempt = std::find_if(attempts.begin(), attempts.end(),
                                  [&](const Attempt& a) { return a.id == script; });
      ASSERT_NE(attempt, attempts.end());
      LabClient client(lab.gateway(index));
      ASSERT_EQ(client.read_reply().code, 220);
      std::string helo = attempt->helo.empty() ? kEhloName : attempt->helo;
      ASSERT_EQ(client.command("EHLO " + helo).code, 250);
      ASSERT_EQ(client.command("MAIL FROM:<" + attempt->mail_from + ">").code, 250);
      if (!attempt->first_rcpt_to.empty()) {
        ASSERT_EQ(client.command("RCPT TO:<" + attempt->first_rcpt_to + ">").code, 250);
      }
      SmtpReply reply = client.command("RCPT TO:<" + attempt->rcpt_to + ">");
      if (index == 0) {
        EXPECT_EQ(reply.last(), kAccepted) << attempt->rcpt_to;
      } else {
        EXPECT_EQ(reply.code, 554) << attempt->rcpt_to;
      }
    }
  }
}

TEST(LabHoles, SenderCheckRefusesUnknownDomainsAndTakesTheNullSender) {
  LabRunner lab({LabGatewayConfig{LabProfile::sender_check, "127.0.0.1", 0},
                 LabGatewayConfig{LabProfile::hole_percent_hack_sender_check, "127.0.0.1", 0}});
  LabClient client(lab.gateway(0));
  ASSERT_EQ(client.read_reply().code, 220);
  ASSERT_EQ(client.command("EHLO " + kEhloName).code, 250);
  EXPECT_EQ(client.command("MAIL FROM:<" + kExtFrom + ">").last(),
            "553 5.1.8 <" + kExtFrom + ">: Sender address rejected: Domain not found");
  for (const char* refused : {"<relayaudit-sender>", "<relayaudit-sender@localhost>",
                              "<a@[127.0.0.1]>", "<a@>", "<a@x.INVALID>", "<a@invalid>"}) {
    EXPECT_EQ(client.command(std::string("MAIL FROM:") + refused).code, 553) << refused;
  }
  EXPECT_EQ(client.command("MAIL FROM:<>").last(), "250 2.1.0 Ok");  // RFC 5321 4.5.5
  EXPECT_EQ(client.command("RCPT TO:<" + kExtTo + ">").code, 554);
  EXPECT_EQ(client.command("RCPT TO:<postmaster@" + kMailDomain + ">").code, 250);
  for (const std::string& sender :
       {"a@" + lab.gateway(0).host_name, "a@" + kMailDomain, std::string("a@example.org")}) {
    EXPECT_EQ(client.command("RSET").code, 250);
    EXPECT_EQ(client.command("MAIL FROM:<" + sender + ">").code, 250) << sender;
  }

  // The percent hole behind it: found only with a sender the server takes.
  LabClient hole(lab.gateway(1));
  const std::string percent = kUser + "%" + kExt + "@[127.0.0.1]";
  ASSERT_EQ(hole.read_reply().code, 220);
  ASSERT_EQ(hole.command("EHLO " + kEhloName).code, 250);
  EXPECT_EQ(hole.command("MAIL FROM:<" + kExtFrom + ">").code, 553);
  EXPECT_EQ(hole.command("RCPT TO:<" + percent + ">").code, 503);  // no transaction
  ASSERT_EQ(hole.command("MAIL FROM:<>").code, 250);
  EXPECT_EQ(hole.command("RCPT TO:<" + percent + ">").last(), kAccepted);
  EXPECT_EQ(hole.command("RCPT TO:<" + kExtTo + ">").code, 554);
}

TEST(LabHoles, HeloHoleOpensOnlyWhileTheTriggerNameIsCurrent) {
  LabRunner lab({LabGatewayConfig{LabProfile::hole_helo_localhost, "127.0.0.1", 0},
                 LabGatewayConfig{LabProfile::hole_helo_own_name, "127.0.0.1", 0},
                 LabGatewayConfig{LabProfile::hole_helo_ip_literal, "127.0.0.1", 0}});
  const std::vector<std::string> triggers{"localhost", lab.gateway(1).host_name, "[127.0.0.1]"};
  for (std::size_t i = 0; i < triggers.size(); ++i) {
    SCOPED_TRACE(triggers[i]);
    LabClient client(lab.gateway(i));
    ASSERT_EQ(client.read_reply().code, 220);
    auto relay_reply = [&](const std::string& hello) {
      EXPECT_EQ(client.command(hello).code, 250);
      EXPECT_EQ(client.command("MAIL FROM:<" + kExtFrom + ">").code, 250);
      SmtpReply reply = client.command("RCPT TO:<" + kExtTo + ">");
      EXPECT_EQ(client.command("RSET").code, 250);
      return reply.code;
    };
    EXPECT_EQ(relay_reply("EHLO " + kEhloName), 554);
    EXPECT_EQ(relay_reply("EHLO " + triggers[i]), 250);
    EXPECT_EQ(relay_reply("EHLO " + kEhloName), 554);  // the name that counts is the latest
    EXPECT_EQ(relay_reply("HELO " + triggers[i]), 250);
    // The other holes' triggers are not this one's.
    for (std::size_t other = 0; other < triggers.size(); ++other) {
      if (other == i) continue;
      EXPECT_EQ(relay_reply("EHLO " + triggers[other]), 554) << triggers[other];
    }
  }
}

TEST(LabHoles, SenderHolesRelayOnlyToPlainExternalMailboxes) {
  LabRunner lab({LabGatewayConfig{LabProfile::hole_null_sender, "127.0.0.1", 0},
                 LabGatewayConfig{LabProfile::hole_random_host_sender, "127.0.0.1", 0}});
  LabClient null_sender(lab.gateway(0));
  ASSERT_EQ(null_sender.read_reply().code, 220);
  ASSERT_EQ(null_sender.command("EHLO " + kEhloName).code, 250);
  ASSERT_EQ(null_sender.command("MAIL FROM:<>").code, 250);
  EXPECT_EQ(null_sender.command("RCPT TO:<" + kExtTo + ">").last(), kAccepted);
  EXPECT_EQ(null_sender.command("RCPT TO:<u@[192.0.2.1]>").code, 554);
  EXPECT_EQ(null_sender.command("RCPT TO:<u%x.example@[127.0.0.1]>").code, 554);
  EXPECT_EQ(null_sender.command("RCPT TO:<nobody@" + kMailDomain + ">").code, 550);

  LabClient random_host(lab.gateway(1));
  ASSERT_EQ(random_host.read_reply().code, 220);
  ASSERT_EQ(random_host.command("EHLO " + kEhloName).code, 250);
  auto relay_code = [&](const std::string& sender, const std::string& recipient) {
    EXPECT_EQ(random_host.command("MAIL FROM:<" + sender + ">").code, 250);
    int code = random_host.command("RCPT TO:<" + recipient + ">").code;
    EXPECT_EQ(random_host.command("RSET").code, 250);
    return code;
  };
  EXPECT_EQ(relay_code("s@mx.x.example", "u@x.example"), 250);
  EXPECT_EQ(relay_code("s@a.b.X.EXAMPLE", "u@x.example"), 250);
  EXPECT_EQ(relay_code("s@x.example", "u@x.example"), 554);  // the domain itself is no host
  EXPECT_EQ(relay_code("s@mx.x.example", "u@y.example"), 554);
  EXPECT_EQ(relay_code("s@evilx.example", "u@x.example"), 554);
}

TEST(LabHoles, OracleCoversEveryHoleWithKnownScriptIdsOnly) {
  const std::set<std::string> known(kRelayScripts.begin(), kRelayScripts.end());
  ASSERT_EQ(known.size(), 35u);
  auto holes = hole_profiles();
  EXPECT_EQ(holes.size(), 29u);
  EXPECT_EQ(std::set<LabProfile>(holes.begin(), holes.end()).size(), holes.size());
  std::set<std::string> proven;
  for (LabProfile profile : all_lab_profiles()) {
    SCOPED_TRACE(std::string(to_string(profile)));
    auto scripts = expected_failing_scripts(profile);
    std::set<std::string> ids;
    for (auto id : scripts) {
      EXPECT_TRUE(known.count(std::string(id))) << id;
      ids.insert(std::string(id));
    }
    EXPECT_EQ(ids.size(), scripts.size()) << "an id listed twice";
    if (!is_hole(profile)) continue;
    EXPECT_EQ(expected_verdict(profile), "open-relay");
    EXPECT_FALSE(scripts.empty());
    std::string_view name = to_string(profile);
    if (name.starts_with("hole-") && profile != LabProfile::hole_percent_hack_sender_check &&
        profile != LabProfile::hole_routed_at_domain) {
      EXPECT_EQ(scripts.front(), "relay-" + std::string(name.substr(5)));
    }
    // Three rules really open a second script: postmaster@<host> is a sender at the host name,
    // and the null-sender twin of relay-after-local-recipient meets both of its holes.
    const bool overlaps = profile == LabProfile::hole_host_name_sender ||
                          profile == LabProfile::hole_null_sender ||
                          profile == LabProfile::hole_after_local_recipient;
    // hole-routed-at-domain honours all five routing forms, each with its own script.
    EXPECT_EQ(scripts.size(), profile == LabProfile::hole_routed_at_domain ? 5u
                              : overlaps                                   ? 2u
                                                                           : 1u);
    proven.insert(ids.begin(), ids.end());
  }
  // Every relay script but the two baselines (whose hole is `open`) has a hole profile.
  std::set<std::string> unproven;
  for (const auto& id : known) {
    if (!proven.count(id)) unproven.insert(id);
  }
  EXPECT_EQ(unproven, (std::set<std::string>{"relay-external-sender", "relay-submission-no-auth"}));

  std::vector<std::string_view> host_name{"relay-host-name-sender", "relay-postmaster-sender"};
  EXPECT_EQ(expected_failing_scripts(LabProfile::hole_host_name_sender), host_name);
  EXPECT_EQ(expected_failing_scripts(LabProfile::percent_hack),
            std::vector<std::string_view>{"relay-percent-hack-ip"});
  EXPECT_EQ(expected_failing_scripts(LabProfile::hole_percent_hack_sender_check),
            std::vector<std::string_view>{"relay-percent-hack-ip"});
  EXPECT_EQ(expected_failing_scripts(LabProfile::open).size(), 35u);
  EXPECT_EQ(expected_failing_scripts(LabProfile::greylisting).size(), 35u);
  EXPECT_EQ(expected_failing_scripts(LabProfile::ehlo_reject).size(), 35u);
  EXPECT_EQ(expected_failing_scripts(LabProfile::starttls_required).size(), 35u) << "inside TLS";
  EXPECT_EQ(expected_failing_scripts(LabProfile::smtps).size(), 35u);
  for (LabProfile profile :
       {LabProfile::closed, LabProfile::sender_check, LabProfile::greylist_forever,
        LabProfile::starttls_offered, LabProfile::starttls_broken, LabProfile::starttls_extra_reply,
        LabProfile::expired_cert, LabProfile::wrong_host_cert, LabProfile::error_limit,
        LabProfile::tarpit, LabProfile::reject_banner, LabProfile::drop_mid_plan,
        LabProfile::silent, LabProfile::endless_reply, LabProfile::huge_line,
        LabProfile::binary_reply, LabProfile::truncated_close}) {
    EXPECT_TRUE(expected_failing_scripts(profile).empty()) << to_string(profile);
  }
}

// relay-submission-no-auth's hole is `open` on the submission port; 127.0.0.2 is loopback too.
TEST(LabHoles, OpenGatewayServesTheSubmissionPort) {
  LabRunner lab({LabGatewayConfig{LabProfile::open, "127.0.0.2", 587}});
  if (lab.start_error()) GTEST_SKIP() << "cannot bind here: " << *lab.start_error();
  const LabGateway& gateway = lab.gateway();
  EXPECT_EQ(gateway.target(), "127.0.0.2:587");
  LabClient client(gateway);
  ASSERT_TRUE(client.connected());
  ASSERT_EQ(client.read_reply().code, 220);
  ASSERT_EQ(client.command("EHLO " + kEhloName).code, 250);
  ASSERT_EQ(client.command("MAIL FROM:<" + kExtFrom + ">").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<" + kExtTo + ">").last(), kAccepted);
  EXPECT_EQ(client.command("RCPT TO:<postmaster@[127.0.0.2]>").code, 250);
}

}  // namespace
}  // namespace relayaudit::testing
