import { SettingsError } from '../../src/settings/read-settings.js';
import { trackTaskSettings } from '../../src/tracking/settings.js';

const VALID = { STAGE: 'local', LIFECYCLE_TABLE: 'batch-lifecycle', EVENT_BUS_NAME: 'batch-requests' };

describe('trackTaskSettings', () => {
  it('loads the stage config and the names the stack passes', () => {
    // Act
    const settings = trackTaskSettings(VALID);

    // Assert
    expect(settings).toEqual({
      config: expect.objectContaining({
        stage: 'local',
        retention: expect.objectContaining({ lifecycleDays: 90 }),
      }),
      lifecycleTable: 'batch-lifecycle',
      eventBusName: 'batch-requests',
    });
  });

  it('names every missing or malformed variable and what it should hold', () => {
    // Act
    const load = () => trackTaskSettings({ LIFECYCLE_TABLE: 'x', EVENT_BUS_NAME: '' });

    // Assert
    expect(load).toThrow(SettingsError);
    expect(load).toThrow(
      'track-task cannot start: its environment is incomplete or invalid:\n' +
        '  - STAGE: required: the stage name (dev, prod, local)\n' +
        '  - LIFECYCLE_TABLE: the lifecycle table name (3-255 of letters, digits, _ . -)\n' +
        '  - EVENT_BUS_NAME: the name or ARN of the batch-requests bus the result events go to',
    );
  });

  it('refuses a stage this repository does not know', () => {
    expect(() => trackTaskSettings({ ...VALID, STAGE: 'qa' })).toThrow(
      'Unknown stage "qa": expected one of dev, prod, local',
    );
  });
});
