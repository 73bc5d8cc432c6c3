; Per-user installer of Kruzhok for Windows, built on Debian with makensis
; by scripts/build-windows.sh (-DVERSION -DBUILD -DOUTFILE; kruzhok.exe and
; README.txt beside this file). No administrator rights: the program goes to
; %LocalAppData%\Programs\Kruzhok, a shortcut to the Start menu and the
; desktop, an uninstaller to "Apps and features". The data
; (%AppData%\kruzhok) is never touched by installing or uninstalling.
Unicode true
; 64-bit like the program itself; Wine without 32-bit support runs it too.
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!include "MUI2.nsh"

Name "Кружок"
Caption "Кружок ${VERSION} — установка"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Kruzhok"
InstallDirRegKey HKCU "Software\Kruzhok" "InstallDir"

VIProductVersion "${VERSION}.${BUILD}"
VIAddVersionKey /LANG=1049 "ProductName" "Кружок"
VIAddVersionKey /LANG=1049 "FileDescription" "Установка программы Кружок"
VIAddVersionKey /LANG=1049 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1049 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1049 "LegalCopyright" "Кружок"

!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\kruzhok.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Запустить Кружок"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Russian"

!define UNINST "Software\Microsoft\Windows\CurrentVersion\Uninstall\Kruzhok"

Section "Кружок"
	SetOutPath "$INSTDIR"
	File "kruzhok.exe"
	File "README.txt"
	WriteUninstaller "$INSTDIR\uninstall.exe"
	CreateShortCut "$SMPROGRAMS\Кружок.lnk" "$INSTDIR\kruzhok.exe"
	CreateShortCut "$DESKTOP\Кружок.lnk" "$INSTDIR\kruzhok.exe"
	WriteRegStr HKCU "Software\Kruzhok" "InstallDir" "$INSTDIR"
	WriteRegStr HKCU "${UNINST}" "DisplayName" "Кружок"
	WriteRegStr HKCU "${UNINST}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINST}" "DisplayIcon" "$INSTDIR\kruzhok.exe"
	WriteRegStr HKCU "${UNINST}" "Publisher" "Кружок"
	WriteRegStr HKCU "${UNINST}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINST}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegDWORD HKCU "${UNINST}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINST}" "NoRepair" 1
SectionEnd

Section "Uninstall"
	Delete "$SMPROGRAMS\Кружок.lnk"
	Delete "$DESKTOP\Кружок.lnk"
	Delete "$INSTDIR\kruzhok.exe"
	Delete "$INSTDIR\README.txt"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
	DeleteRegKey HKCU "${UNINST}"
	DeleteRegKey HKCU "Software\Kruzhok"
SectionEnd
