// The TLS engine against itself and against OpenSSL's own s_server over real loopback TCP:
// handshakes, application bytes, facts, verification, host matching and hostile input.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tls/tls_context.hpp"
#include "tls/tls_credentials.hpp"
#include "tls/tls_engine.hpp"
#include "tls/tls_facts.hpp"

namespace relayaudit {
namespace {

TlsCredentials credentials(const std::string& host, long from_days = -1, long until_days = 30) {
  auto made = make_self_signed(CertificateRequest{host, {host}, from_days, until_days});
  if (auto* error = std::get_if<std::string>(&made)) ADD_FAILURE() << *error;
  return std::move(std::get<TlsCredentials>(made));
}

TlsContext context(std::variant<TlsContext, std::string> made) {
  if (auto* error = std::get_if<std::string>(&made)) ADD_FAILURE() << *error;
  return std::move(std::get<TlsContext>(made));
}

// Moves bytes both ways until neither side has anything to say; returns what each side read.
struct Pumped {
  std::string client_read;
  std::string server_read;
  std::string client_error;
  std::string server_error;
};

Pumped pump(TlsEngine& client, TlsEngine& server, TlsEngine::Output first) {
  Pumped seen;
  std::string to_server = std::move(first.ciphertext);
  std::string to_client;
  for (int round = 0; round < 20 && (!to_server.empty() || !to_client.empty()); ++round) {
    auto at_server = server.receive(to_server);
    to_server.clear();
    seen.server_read += at_server.plaintext;
    if (!at_server.error.empty()) seen.server_error = at_server.error;
    to_client += at_server.ciphertext;
    auto at_client = client.receive(to_client);
    to_client.clear();
    seen.client_read += at_client.plaintext;
    if (!at_client.error.empty()) seen.client_error = at_client.error;
    to_server += at_client.ciphertext;
  }
  return seen;
}

// A client and a server engine for one certificate, handshaken in memory.
struct Handshake {
  Handshake(const TlsCredentials& credentials, const std::string& name,
            const std::string& ca_file = {})
      : server_context(context(TlsContext::server(credentials))),
        client_context(context(TlsContext::client(ca_file))),
        client(client_context, TlsEngine::Role::client, name),
        server(server_context, TlsEngine::Role::server),
        pumped(pump(client, server, client.start())) {}
  TlsContext server_context;
  TlsContext client_context;
  TlsEngine client;
  TlsEngine server;
  Pumped pumped;
};

TEST(TlsEngine, ClientAndServerEnginesHandshakeAndCarryBytesBothWays) {
  Handshake tls(credentials("mx1.lab.relayaudit.test"), "mx1.lab.relayaudit.test");
  TlsEngine& client = tls.client;
  TlsEngine& server = tls.server;
  const Pumped& handshake = tls.pumped;
  EXPECT_EQ(handshake.client_error, "");
  EXPECT_EQ(handshake.server_error, "");
  ASSERT_TRUE(client.established());
  ASSERT_TRUE(server.established());

  auto hello = client.send("EHLO relayaudit.invalid\r\n");
  EXPECT_EQ(hello.error, "");
  EXPECT_EQ(hello.ciphertext.find("EHLO"), std::string::npos) << "plaintext on the wire";
  auto at_server = server.receive(hello.ciphertext);
  EXPECT_EQ(at_server.plaintext, "EHLO relayaudit.invalid\r\n");
  auto reply = server.send("250 mx1.lab.relayaudit.test\r\n");
  EXPECT_EQ(client.receive(reply.ciphertext).plaintext, "250 mx1.lab.relayaudit.test\r\n");

  auto bye = client.close();
  EXPECT_FALSE(bye.ciphertext.empty()) << "close_notify goes out";
  EXPECT_TRUE(server.receive(bye.ciphertext).closed);
}

TEST(TlsEngine, FactsNameProtocolCipherGroupAndTheChain) {
  Handshake tls(credentials("mx1.lab.relayaudit.test"), "mx1.lab.relayaudit.test");
  TlsEngine& client = tls.client;
  ASSERT_TRUE(client.established());
  const TlsFacts facts = read_tls_facts(client, "mx1.lab.relayaudit.test");
  EXPECT_EQ(facts.protocol, "TLSv1.3");
  EXPECT_EQ(facts.cipher.rfind("TLS_", 0), 0u) << facts.cipher;
  EXPECT_FALSE(facts.group.empty());
  ASSERT_EQ(facts.chain.size(), 1u);
  const CertificateFacts& leaf = facts.chain[0];
  EXPECT_EQ(leaf.subject, "CN=mx1.lab.relayaudit.test");
  EXPECT_EQ(leaf.issuer, leaf.subject) << "self-signed";
  EXPECT_EQ(leaf.dns_names, std::vector<std::string>{"mx1.lab.relayaudit.test"});
  EXPECT_EQ(leaf.key_type, "EC");
  EXPECT_EQ(leaf.key_bits, 256);
  EXPECT_EQ(leaf.signature_algorithm, "ecdsa-with-SHA256");
  EXPECT_EQ(leaf.sha256.size(), 32u * 3 - 1);
  EXPECT_EQ(leaf.serial, "01");
  EXPECT_GE(leaf.days_left, 29);
  EXPECT_LE(leaf.days_left, 30);
  EXPECT_EQ(leaf.not_after.size(), 20u) << leaf.not_after;
  // Not in any trust store: reported, never enforced (the handshake went through).
  EXPECT_FALSE(facts.chain_trusted);
  EXPECT_EQ(facts.verify_error, "self-signed certificate");
  EXPECT_EQ(facts.host_matches, true);
  EXPECT_EQ(read_tls_facts(client, "mx2.lab.relayaudit.test").host_matches, false);
  EXPECT_FALSE(read_tls_facts(client, "127.0.0.1").host_matches.has_value())
      << "an address is no name to match";
}

TEST(TlsEngine, ACaFileMakesTheChainTrustedAndAnExpiredCertificateSaysSo) {
  const std::string dir = testing::make_temp_dir();
  const TlsCredentials lab = credentials("old.lab.relayaudit.test", -60, -2);
  const std::string ca_file = dir + "/ca.pem";
  FILE* file = std::fopen(ca_file.c_str(), "w");
  ASSERT_NE(file, nullptr);
  PEM_write_X509(file, lab.certificate.get());
  std::fclose(file);
  Handshake tls(lab, "old.lab.relayaudit.test", ca_file);
  TlsEngine& client = tls.client;
  ASSERT_TRUE(client.established()) << "an expired certificate is reported, not refused";
  const TlsFacts facts = read_tls_facts(client, "old.lab.relayaudit.test");
  EXPECT_FALSE(facts.chain_trusted);
  EXPECT_EQ(facts.verify_error, "certificate has expired");
  EXPECT_LT(facts.chain[0].days_left, 0);
  std::filesystem::remove_all(dir);
}

TEST(TlsEngine, AnUnreadableCaFileIsAnErrorNamingIt) {
  auto made = TlsContext::client("/nonexistent/ca.pem");
  ASSERT_TRUE(std::holds_alternative<std::string>(made));
  EXPECT_NE(std::get<std::string>(made).find("/nonexistent/ca.pem"), std::string::npos);
}

TEST(TlsEngine, GarbageInsteadOfAServerHelloFailsTheHandshakeWithOpenSslsReason) {
  TlsContext client_context = context(TlsContext::client());
  TlsEngine client(client_context, TlsEngine::Role::client, "mx.example.test");
  client.start();
  const auto out = client.receive("220 mx.example.test ESMTP this is not TLS\r\n");
  EXPECT_TRUE(client.failed_in_handshake());
  EXPECT_EQ(out.error.rfind("TLS handshake failed: ", 0), 0u) << out.error;
  EXPECT_NE(out.error.find("wrong version number"), std::string::npos) << out.error;
  EXPECT_EQ(client.receive("more").error, "") << "a failed session takes nothing more";
  EXPECT_NE(client.send("QUIT\r\n").error, "");
}

TEST(TlsEngine, GarbageRecordsAfterTheHandshakeAreAProtocolError) {
  Handshake tls(credentials("mx1.lab.relayaudit.test"), "mx1.lab.relayaudit.test");
  TlsEngine& client = tls.client;
  ASSERT_TRUE(client.established());
  // A record header of type application data with a body that no key decrypts.
  const auto out = client.receive(std::string("\x17\x03\x03\x00\x20", 5) + std::string(32, 'x'));
  EXPECT_TRUE(client.failed());
  EXPECT_FALSE(client.failed_in_handshake());
  EXPECT_EQ(out.error.rfind("TLS protocol error: ", 0), 0u) << out.error;
}

// OpenSSL's own server, a separate process on a loopback port, as the independent peer.
TEST(TlsEngine, InteroperatesWithOpensslSServerOverLoopbackTcp) {
  const std::string dir = testing::make_temp_dir();
  const TlsCredentials lab = credentials("s-server.lab.relayaudit.test");
  FILE* cert = std::fopen((dir + "/cert.pem").c_str(), "w");
  FILE* key = std::fopen((dir + "/key.pem").c_str(), "w");
  ASSERT_TRUE(cert != nullptr && key != nullptr);
  PEM_write_X509(cert, lab.certificate.get());
  PEM_write_PrivateKey(key, lab.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(cert);
  std::fclose(key);

  // A free loopback port: bound by us, released, then taken by s_server.
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  close(probe);
  const std::string port = std::to_string(ntohs(address.sin_port));
  testing::BackgroundProcess server({"openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                                     dir + "/cert.pem", "-key", dir + "/key.pem", "-rev",
                                     "-naccept", "1"});
  int fd = -1;
  for (int i = 0; i < 250 && fd < 0; ++i) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      close(fd);
      fd = -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_GE(fd, 0) << "openssl s_server did not listen on " << port;
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  TlsContext client_context = context(TlsContext::client());
  TlsEngine client(client_context, TlsEngine::Role::client, "s-server.lab.relayaudit.test");
  auto out = client.start();
  std::string read;
  bool sent_line = false;
  for (int i = 0; i < 50 && read.find('\n') == std::string::npos; ++i) {
    if (!out.ciphertext.empty()) {
      ASSERT_EQ(send(fd, out.ciphertext.data(), out.ciphertext.size(), 0),
                static_cast<ssize_t>(out.ciphertext.size()));
    }
    if (client.established() && !sent_line) {
      sent_line = true;
      out = client.send("relayaudit\n");
      continue;
    }
    char buffer[16384];
    const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    ASSERT_GT(got, 0) << "s_server closed or timed out";
    out = client.receive(std::string_view(buffer, static_cast<std::size_t>(got)));
    ASSERT_EQ(out.error, "");
    read += out.plaintext;
  }
  close(fd);
  EXPECT_TRUE(client.established());
  // -rev answers every line reversed: proof that the bytes went through TLS both ways.
  EXPECT_NE(read.find("tiduayaler"), std::string::npos) << read;
  const TlsFacts facts = read_tls_facts(client, "s-server.lab.relayaudit.test");
  EXPECT_EQ(facts.chain.at(0).subject, "CN=s-server.lab.relayaudit.test");
  EXPECT_EQ(facts.host_matches, true);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace relayaudit
