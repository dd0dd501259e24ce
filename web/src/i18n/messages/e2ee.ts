import type { Messages } from './index.js';

export const E2EE: Messages = {
  en: {
    'e2ee.title': 'End-to-end encryption',
    'e2ee.tab': 'Encryption',
    'e2ee.compare': 'Compare this code aloud with everyone: if all see the same, only this meeting’s devices hold its key.',
    'e2ee.code': 'Security code',
    'e2ee.sender': 'Key sealed by the host’s device {{fingerprint}}',
    'e2ee.waiting': 'Waiting for the host’s device to send this device the key…',
    'e2ee.rekeying': 'A new key is on its way.',
    'e2ee.senderChanged': 'The key now comes from another host device. Compare the security code again.',
    'e2ee.refused': 'A key was refused and not used ({{reason}}).',
    'e2ee.devices': 'Devices holding the key: {{count}}',
    'e2ee.upgrade': 'Upgrade to end-to-end encryption',
    'e2ee.upgradeConfirm':
      'Encrypt this meeting end to end? Recording, transcription and dial-in stop, and it cannot be turned back.',
  },
  de: {
    'e2ee.title': 'Ende-zu-Ende-Verschlüsselung',
    'e2ee.tab': 'Verschlüsselung',
    'e2ee.compare':
      'Vergleichen Sie diesen Code laut mit allen: Sehen alle denselben, haben nur die Geräte dieses Meetings den Schlüssel.',
    'e2ee.code': 'Sicherheitscode',
    'e2ee.sender': 'Schlüssel versiegelt vom Gerät des Hosts {{fingerprint}}',
    'e2ee.waiting': 'Warten, bis das Gerät des Hosts diesem Gerät den Schlüssel sendet…',
    'e2ee.rekeying': 'Ein neuer Schlüssel ist unterwegs.',
    'e2ee.senderChanged':
      'Der Schlüssel kommt jetzt von einem anderen Gerät des Hosts. Vergleichen Sie den Sicherheitscode erneut.',
    'e2ee.refused': 'Ein Schlüssel wurde abgelehnt und nicht verwendet ({{reason}}).',
    'e2ee.devices': 'Geräte mit dem Schlüssel: {{count}}',
    'e2ee.upgrade': 'Auf Ende-zu-Ende-Verschlüsselung umstellen',
    'e2ee.upgradeConfirm':
      'Dieses Meeting Ende-zu-Ende verschlüsseln? Aufzeichnung, Transkription und Einwahl enden, und es lässt sich nicht zurücknehmen.',
  },
  nl: {
    'e2ee.title': 'End-to-end-versleuteling',
    'e2ee.tab': 'Versleuteling',
    'e2ee.compare':
      'Vergelijk deze code hardop met iedereen: ziet iedereen dezelfde, dan hebben alleen de apparaten van deze vergadering de sleutel.',
    'e2ee.code': 'Beveiligingscode',
    'e2ee.sender': 'Sleutel verzegeld door het apparaat van de host {{fingerprint}}',
    'e2ee.waiting': 'Wachten tot het apparaat van de host dit apparaat de sleutel stuurt…',
    'e2ee.rekeying': 'Er is een nieuwe sleutel onderweg.',
    'e2ee.senderChanged': 'De sleutel komt nu van een ander apparaat van de host. Vergelijk de beveiligingscode opnieuw.',
    'e2ee.refused': 'Een sleutel is geweigerd en niet gebruikt ({{reason}}).',
    'e2ee.devices': 'Apparaten met de sleutel: {{count}}',
    'e2ee.upgrade': 'Overschakelen op end-to-end-versleuteling',
    'e2ee.upgradeConfirm':
      'Deze vergadering end-to-end versleutelen? Opname, transcriptie en inbellen stoppen, en dit kan niet worden teruggedraaid.',
  },
};
