/*
 * emu: the emulated zoned device, a directory in the kernel's zloop layout
 * (SPEC §6). Opening one goes through zdev_open(); this header holds what
 * only the emulator has: creating a device directory and injecting faults
 * into one, which takes effect in every process that has it open.
 */
#ifndef ZCRYPTFS_EMU_H
#define ZCRYPTFS_EMU_H

#include <stddef.h>
#include <stdint.h>

struct emu_geometry {
	uint64_t zone_size;	/* bytes, power of two */
	uint64_t zone_capacity;	/* bytes, <= zone_size; 0 = zone_size */
	uint64_t nr_zones;
	uint64_t nr_cnv_zones;
	uint32_t lblock_size;	/* 512 or 4096 */
	uint32_t max_open;	/* 0 = no limit */
	uint32_t max_active;	/* 0 = no limit */
};

/*
 * Name of the geometry file inside the device directory. It holds one line,
 * ended by a newline: zloop's `add` options followed by our extras, e.g.
 *
 *   capacity_mb=32,zone_size_mb=4,zone_capacity_mb=4,conv_zones=2,nr_zones=8,lba_size=4096,max_open=0,max_active=0
 *
 * capacity_mb, zone_size_mb, zone_capacity_mb and conv_zones are zloop's
 * (so `echo "add id=N,base_dir=B,<those four>" > /dev/zloop-control` serves
 * the same zone files); nr_zones, lba_size, max_open and max_active are
 * extras zloop lacks. Required: capacity_mb, zone_size_mb, conv_zones,
 * nr_zones, lba_size; zone_capacity_mb defaults to the zone size and the
 * limits to 0 (none). zloop's id, base_dir, nr_queues, queue_depth and
 * buffered_io are accepted and ignored; any other key, a repeated key, a
 * missing newline or capacity_mb != nr_zones * zone_size_mb refuses the
 * device. Sizes are whole MiB (EMU_SIZE_UNIT), so the smallest zone is 1 MiB;
 * the zone size is a power of two up to 16 GiB (zloop's limit), the zone
 * capacity a whole number of MiB up to the zone size, conv_zones < nr_zones
 * (zloop's rule), max_open <= max_active when both are set, and neither above
 * the number of sequential zones.
 */
#define EMU_GEOMETRY_FILE "zloop.conf"
#define EMU_SIZE_UNIT (1024 * 1024ULL)
#define EMU_MAX_ZONE_SIZE (16384 * EMU_SIZE_UNIT)

/*
 * Zone conditions zloop cannot store, and injected faults, live in this file
 * of the device directory: a header and one 16-byte record per zone, mapped
 * MAP_SHARED by every process that has the device open, so a change is seen
 * at once. Records are changed under a per-zone lock (a mutex in the process
 * plus an OFD byte-range lock across processes); transitions that count
 * against max_open/max_active also take a device-wide lock, always before
 * the zone lock. The size of each zone file stays the authority for the
 * write pointer. The file is created when missing; a corrupt one is refused
 * (deleting it drops every open state, override and fault).
 *
 * Behaviour (SPEC §6.2) follows the kernel's null_blk zoned mode:
 * - seq writes not at the write pointer, not whole logical blocks, or past
 *   the zone capacity, and any write crossing a zone boundary: -EIO;
 *   writes past the device end: -ENOSPC; misaligned reads and conventional
 *   writes: -EINVAL; reads past the write pointer return zeros;
 * - a write to an empty or closed zone opens it implicitly; over max_open an
 *   implicitly open zone is closed (round robin) when the active limit
 *   allows, else -ETOOMANYREFS (BLK_STS_ZONE_OPEN_RESOURCE); over max_active
 *   -EOVERFLOW (BLK_STS_ZONE_ACTIVE_RESOURCE). OPEN and FINISH of an empty or
 *   closed zone are checked the same way (ZBC/null_blk rule);
 * - CLOSE of an open zone: closed, or empty when it holds no data; CLOSE of
 *   an empty or full zone, OPEN of a full one, any zone op on a conventional,
 *   read-only or offline zone: -EIO. OPEN of an explicitly open zone, CLOSE
 *   of a closed one, RESET of an empty one and FINISH of a full one: no-op;
 * - a zone is full when its file reaches the capacity (the file is then
 *   extended to the zone size, as zloop's FINISH does) and reports its write
 *   pointer at start + zone size, like zloop;
 * - read-only zones: reads work, writes and zone ops -EIO; offline zones:
 *   everything -EIO, reported with the write pointer at the zone start.
 *   Neither counts as open or active.
 * A zdev handle must not be used across fork(); open the device again.
 */
#define EMU_STATE_FILE "zcryptfs-state"

/* Create a new device directory (must not exist or be empty). */
int emu_create(const char *dir, const struct emu_geometry *geo, char *err, size_t errlen);

/* Returns 1 if dir looks like an emulated device (has the geometry file). */
int emu_is_device(const char *dir);

enum emu_fault_kind {
	EMU_FAULT_CLEAR = 0,	/* drop every fault and condition override */
	EMU_FAULT_OFFLINE,
	EMU_FAULT_READONLY,
	EMU_FAULT_FAIL_WRITES,	/* arg = N: the next N writes fail with EIO */
	EMU_FAULT_FAIL_READS,	/* arg = N: the next N reads fail with EIO */
	EMU_FAULT_PARTIAL_WRITE,/* arg = blocks: next write stores only that many, then EIO */
	EMU_FAULT_MOVE_WP,	/* arg = new write pointer, bytes from zone start */
};

/*
 * Faults apply to any zone (move-wp to sequential ones only) and are counted
 * per zone. fail-writes/fail-reads: the next N calls touching the zone fail
 * with -EIO and change nothing. partial-write: the next write stores
 * min(arg, its length) blocks, advances the write pointer by that, then
 * fails with -EIO. move-wp: truncates or extends the zone file to arg (whole
 * blocks, at most the capacity), keeping an open zone open, as a drive
 * that lost or gained data behind the host's back. offline/readonly override
 * the zone's condition until clear, which also drops pending faults.
 */

int emu_fault(const char *dir, uint64_t zone, enum emu_fault_kind kind, uint64_t arg,
	      char *err, size_t errlen);

#endif
