/**
 * What to change in the organization configuration: a pure function of the declared
 * configuration and the one GuardDuty describes. Features and additional configurations
 * that are not declared are not GuardDuty's to lose: they are left out of the update.
 */
export interface AdditionalSetting {
  readonly name: string;
  readonly autoEnable: string;
}

export interface FeatureSetting {
  readonly name: string;
  readonly autoEnable: string;
  readonly additionalConfiguration: readonly AdditionalSetting[];
}

export interface DeclaredConfiguration {
  readonly autoEnableOrganizationMembers: string;
  readonly features: readonly FeatureSetting[];
}

/** As DescribeOrganizationConfiguration reports it; any field may be absent. */
export interface CurrentConfiguration {
  readonly autoEnableOrganizationMembers?: string;
  readonly features: ReadonlyArray<{ readonly name: string; readonly autoEnable?: string; readonly additionalConfiguration: ReadonlyArray<{ readonly name: string; readonly autoEnable?: string }> }>;
  readonly memberAccountLimitReached: boolean;
}

/** One difference, for the log: `S3_DATA_EVENTS: NONE -> ALL`. */
export interface ConfigurationChange {
  readonly setting: string;
  readonly from: string;
  readonly to: string;
}

export interface ConfigurationUpdate {
  readonly autoEnableOrganizationMembers: string;
  /** The declared features that differ, each with all its declared additional configuration. */
  readonly features: readonly FeatureSetting[];
  readonly changes: readonly ConfigurationChange[];
}

/** The update to make, or undefined when GuardDuty already has the declared configuration. */
export function planConfigurationUpdate(declared: DeclaredConfiguration, current: CurrentConfiguration): ConfigurationUpdate | undefined {
  const changes: ConfigurationChange[] = [];
  const noteChange = (setting: string, from: string | undefined, to: string) => {
    if (from !== to) {
      changes.push({ setting, from: from ?? 'unset', to });
    }
  };
  noteChange('AutoEnableOrganizationMembers', current.autoEnableOrganizationMembers, declared.autoEnableOrganizationMembers);

  const changedFeatures = declared.features.filter((feature) => {
    const before = changes.length;
    const existing = current.features.find((candidate) => candidate.name === feature.name);
    noteChange(feature.name, existing?.autoEnable, feature.autoEnable);
    for (const additional of feature.additionalConfiguration) {
      const existingAdditional = existing?.additionalConfiguration.find((candidate) => candidate.name === additional.name);
      noteChange(`${feature.name}.${additional.name}`, existingAdditional?.autoEnable, additional.autoEnable);
    }
    return changes.length > before;
  });

  if (changes.length === 0) {
    return undefined;
  }
  return { autoEnableOrganizationMembers: declared.autoEnableOrganizationMembers, features: changedFeatures, changes };
}

/** What a Delete with DESTROY asks: stop enabling accounts automatically. */
export const AUTO_ENABLE_OFF = 'NONE';
