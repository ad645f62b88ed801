{
  "targets": [
    {
      "target_name": "vigil_native",
      "sources": ["src/addon.cc", "src/packet_socket.cc", "src/raw_ip_socket.cc", "src/interface_info.cc", "src/tcp_connector.cc", "src/connect_loop.cc", "src/deadline_heap.cc", "src/http_exchange.cc", "src/tcp_socket.cc", "src/thread_scheduling.cc", "src/precise_timer.cc", "src/netlink_monitor.cc", "src/unix_datagram.cc", "src/process_control.cc", "src/socket_options.cc", "src/socket_buffer.cc", "src/mii_status.cc", "src/tun_device.cc", "src/signal_watch.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    }
  ]
}
