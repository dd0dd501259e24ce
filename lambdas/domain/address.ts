/** The one form of an e-mail address the rules compare and hash: trimmed, lower case. */
export const normaliseAddress = (address: string): string => address.trim().toLowerCase();
