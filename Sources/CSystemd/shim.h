#ifndef RACKBOOT_CSYSTEMD_SHIM_H
#define RACKBOOT_CSYSTEMD_SHIM_H

/* The two libsystemd APIs Rackboot uses: sd_notify (READY, STATUS, WATCHDOG, ...) and
   native journal entries through sd_journal_sendv. The variadic sd_notifyf/sd_journal_send
   cannot be imported into Swift, so callers format in Swift and pass iovecs. */
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#endif
