import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { ConstructPropsError } from '../errors.js';

export interface EventSchemaProps {
  /** The whole event's JSON Schema, draft-04 (the dialect the registry's `JSONSchemaDraft4` type takes). */
  readonly schema: Readonly<Record<string, unknown>>;
  /**
   * Shown in the registry.
   * @default 'BatchRequested (contract v1): what the monolith puts on the batch-requests bus'
   */
  readonly description?: string;
}

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';
/** The registry's limit on a schema's content. */
const MAX_CONTENT_BYTES = 100_000;

/**
 * The event contract published to an EventBridge schema registry, so the
 * monolith's developers can browse it and download code bindings. The content
 * is generated from the zod schema the launcher validates with: one source.
 */
export class EventSchema extends Construct {
  public readonly registry: CfnRegistry;
  public readonly schema: CfnSchema;

  constructor(scope: Construct, id: string, props: EventSchemaProps) {
    super(scope, id);
    const fail = (message: string) => new ConstructPropsError(`EventSchema ${this.node.path}`, message);
    if (props.schema.$schema !== DRAFT_04) {
      throw fail(
        `schema.$schema is ${JSON.stringify(props.schema.$schema)}: the registry takes draft-04, "${DRAFT_04}"`,
      );
    }
    const content = JSON.stringify(props.schema);
    if (Buffer.byteLength(content) > MAX_CONTENT_BYTES) {
      throw fail(
        `the schema is ${Buffer.byteLength(content)} bytes: the registry accepts at most ${MAX_CONTENT_BYTES}`,
      );
    }
    const description =
      props.description ?? 'BatchRequested (contract v1): what the monolith puts on the batch-requests bus';
    this.registry = new CfnRegistry(this, 'Registry', { description: 'ecs-batch-launcher event contracts' });
    this.schema = new CfnSchema(this, 'Schema', {
      registryName: this.registry.attrRegistryName,
      type: 'JSONSchemaDraft4',
      content,
      description,
    });
  }
}
