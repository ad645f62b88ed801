#include "http_exchange.h"

#include "tcp_outcome.h"

#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstdint>

namespace vigil {

namespace {

// The header is in and the body has reached its Content-Length (HTTP/1.x, RFC 9112 §6.3).
bool AnswerComplete(const std::string& data) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  static const char kName[] = "\r\ncontent-length:";
  const size_t name_len = sizeof(kName) - 1;
  for (size_t i = 0; i + name_len <= end; i++) {
    size_t k = 0;
    while (k < name_len && std::tolower(static_cast<unsigned char>(data[i + k])) == kName[k]) k++;
    if (k < name_len) continue;
    size_t j = i + name_len;
    while (j < end && (data[j] == ' ' || data[j] == '\t')) j++;
    if (j >= end || !std::isdigit(static_cast<unsigned char>(data[j]))) return false;
    uint64_t length = 0;
    while (j < end && std::isdigit(static_cast<unsigned char>(data[j])) && length < (1ULL << 40)) length = length * 10 + (data[j++] - '0');
    return data.size() - (end + 4) >= length;
  }
  return false;
}

}  // namespace

int HttpExchange::WriteRequest(int fd) {
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return errno;
    }
    sent += static_cast<size_t>(n);
  }
  return 0;
}

int HttpExchange::ReadAnswer(int fd) {
  char buffer[16384];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) {
      answer.append(buffer, static_cast<size_t>(n));
      if (answer.size() >= max_bytes || AnswerComplete(answer)) return 0;
      continue;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kPending;
    // A reset after part of the answer: what came is the answer (JS judges it), as with a Node socket.
    return answer.empty() ? errno : 0;
  }
}

}  // namespace vigil
