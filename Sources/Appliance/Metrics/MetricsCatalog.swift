/// Every metric name Rackboot exposes, with its `# HELP` text: the services name their metrics through swift-metrics,
/// this is where Prometheus learns what they mean. docs/monitoring.md lists the same names with their labels.
enum MetricsCatalog {
    static let help: [String: String] = [
        // DHCP (DHCPService's DHCPMetrics)
        "rackboot_dhcp_messages_total": "DHCP requests decided, by message type and outcome.",
        "rackboot_dhcp_dropped_total": "DHCP requests that got no answer, by reason.",
        "rackboot_dhcp_lease_commit_duration_seconds":
            "Time from handing a batch of lease changes to the commit thread until it was durable.",
        "rackboot_dhcp_pool_addresses": "Addresses of each DHCP pool, by state (leased, held, free).",
        "rackboot_dhcp_shared_store_refusals_total":
            "Lease changes a shared (PostgreSQL) store refused because another appliance holds the address.",
        // TFTP (TFTPService's TFTPMetrics)
        "rackboot_tftp_transfers_started_total": "TFTP read transfers started.",
        "rackboot_tftp_transfers_ended_total": "TFTP transfers that ended, by outcome.",
        "rackboot_tftp_requests_refused_total": "TFTP requests that started no transfer, by reason.",
        "rackboot_tftp_sent_bytes_total": "TFTP payload bytes the clients acknowledged.",
        "rackboot_tftp_retransmitted_packets_total": "TFTP DATA and OACK packets sent again after a timeout.",
        "rackboot_tftp_transfers_in_flight": "TFTP transfers running now.",
        // HTTP (HTTPService's HTTPMetrics)
        "rackboot_http_requests_total": "HTTP responses sent, by route kind and status code.",
        "rackboot_http_response_bytes_total": "HTTP response body bytes sent, by route kind.",
        "rackboot_http_connections_refused_total": "HTTP connections closed at once because max_connections were open.",
        "rackboot_http_connections_open": "HTTP connections open now.",
        // Machines (the lifecycle book)
        "rackboot_machines": "Machines of the inventory, by lifecycle state.",
        "rackboot_watchdog_pings_total": "Times the service told systemd's watchdog it is alive.",
        "rackboot_watchdog_missed_pings_total":
            "Watchdog rounds without a ping because an event loop, a transfer thread or the lease store did not answer.",
        "rackboot_build_info": "The running Rackboot release (always 1).",
        // The process (Prometheus' conventional names)
        "process_resident_memory_bytes": "Resident memory size in bytes.",
        "process_virtual_memory_bytes": "Virtual memory size in bytes.",
        "process_cpu_seconds_total": "Total user and system CPU time spent in seconds.",
        "process_open_fds": "Number of open file descriptors.",
        "process_start_time_seconds": "Start time of the process since unix epoch in seconds.",
    ]

    /// Lease commits take a fraction of a millisecond to tens of milliseconds (one fsync with `lease_sync: full`).
    static let durationBuckets: [String: [Duration]] = [
        "rackboot_dhcp_lease_commit_duration_seconds": [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500),
        ]
    ]
}
