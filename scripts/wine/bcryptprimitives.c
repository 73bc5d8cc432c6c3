/*
 * bcryptprimitives.dll for Wine 8.0 (Debian 12), which lacks it: Go's
 * Windows runtime (Go 1.24 and later) loads it for ProcessPrng and dies with
 * "fatal error: bcryptprimitives.dll not found" without it. Only the smoke
 * test puts it into a throwaway Wine prefix; real Windows 10/11 has its own.
 *
 * ProcessPrng fills the buffer with RtlGenRandom (advapi32's
 * SystemFunction036), the system's cryptographic random source.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}
