package app

// The Russian names of the domain's codes, one place for the UI, the PDF
// documents and the spreadsheets. ProgrammeStatusRu, ContractStatusRu and
// InvoiceStatusRu stand beside their commands.

var certTypeRu = map[string]string{CertAccounting: "учёта", CertFinancing: "финансирования"}

// CertificateTypeRu is «учёта» or «финансирования», as in «сертификат учёта».
func CertificateTypeRu(t string) string { return nameOr(certTypeRu, t) }

var certStatusRu = map[string]string{CertActive: "действует", CertFrozen: "заморожен"}

// CertificateStatusRu is «действует» or «заморожен».
func CertificateStatusRu(s string) string { return nameOr(certStatusRu, s) }

var invoiceTypeRu = map[string]string{InvAdvance: "аванс", InvFinal: "итоговый"}

// InvoiceTypeRu is «аванс» or «итоговый».
func InvoiceTypeRu(t string) string { return nameOr(invoiceTypeRu, t) }

// nameOr is the name of code, or the code itself when it has none.
func nameOr(names map[string]string, code string) string {
	if n, ok := names[code]; ok {
		return n
	}
	return code
}
