/*
 * emu_conf: the emulated device's geometry file (format in emu.h) and the
 * creation of a device directory. Internal to the emulator backend.
 */
#ifndef ZCRYPTFS_EMU_CONF_H
#define ZCRYPTFS_EMU_CONF_H

#include "emu.h"

#include <dirent.h>

/* Check a geometry against the rules of emu.h; 0 or -EINVAL with a message. */
int emu_geometry_check(const struct emu_geometry *geo, char *err, size_t errlen);

/* Read and check DIR's geometry file (dirfd is DIR, named dir in messages). */
int emu_conf_read(int dirfd, const char *dir, struct emu_geometry *geo, char *err,
		  size_t errlen);

/* A listing of the directory dirfd (closedir() it). */
DIR *emu_opendir(int dirfd);

/* Create the shared state file with every zone clear (zdev_emu.c). */
int emu_state_create(int dirfd, uint64_t nr_zones);

#endif
