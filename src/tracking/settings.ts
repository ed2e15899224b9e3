import type { StageConfig } from '../../config/schema.js';
import { loadStageConfig } from '../../config/stages.js';
import { readSettings, trackTaskSettings as trackTaskVariables } from '../settings/read-settings.js';

/** What track-task reads from its environment, once, at cold start. */
export interface TrackTaskSettings {
  readonly config: StageConfig;
  readonly lifecycleTable: string;
  readonly eventBusName: string;
}

/**
 * Validates track-task's environment and loads the stage config, so a missing or
 * wrong variable fails the cold start with a message naming it, instead of the
 * first event failing somewhere deep.
 *
 * @throws SettingsError naming each bad variable; ConfigError for an unknown or invalid stage
 */
export function trackTaskSettings(
  environment: Readonly<Record<string, string | undefined>>,
): TrackTaskSettings {
  const variables = readSettings('track-task', trackTaskVariables, environment);
  return {
    config: loadStageConfig(variables.STAGE),
    lifecycleTable: variables.LIFECYCLE_TABLE,
    eventBusName: variables.EVENT_BUS_NAME,
  };
}
