// A status line off the wire: see RawHttp.h.
#include "ledgerbridge/testsupport/RawHttp.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

namespace ledgerbridge::testsupport {

std::string rawStatusLine(int port, const std::string& method, const std::string& path) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    const std::string request =
        method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    std::string text;
    char buffer[512];
    while (text.find("\r\n") == std::string::npos) {
        const int n = socket.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text.substr(0, text.find("\r\n"));
}

}  // namespace ledgerbridge::testsupport
