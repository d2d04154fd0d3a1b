/* version: the one place the version string lives. */
#ifndef ZCRYPTFS_VERSION_H
#define ZCRYPTFS_VERSION_H
#define ZC_VERSION "0.1.0"
#endif
