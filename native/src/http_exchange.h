// HTTP_GET's exchange on a connected non-blocking socket: the request written (over as many writable wake-ups as it
// takes), then the answer read until the peer closes, the header's Content-Length is in, or max_bytes are in. The
// bytes go to JS, which judges the answer; this only frames it.
#pragma once

#include <cstddef>
#include <string>

namespace vigil {

struct HttpExchange {
  // The request still to write (from `sent`), the answer so far, and where reading stops.
  std::string request;
  size_t sent = 0;
  std::string answer;
  size_t max_bytes = 0;

  bool RequestWritten() const { return sent == request.size(); }

  // Writes what is left of the request; 0, or the errno of a failed write.
  int WriteRequest(int fd);

  // Reads what has arrived. kPending while more is expected, 0 once the answer is complete (the peer closed, the
  // header's Content-Length is in, or max_bytes reached), or an errno with nothing read.
  int ReadAnswer(int fd);

  void Clear() {
    request.clear();
    sent = 0;
    answer.clear();
  }
};

}  // namespace vigil
