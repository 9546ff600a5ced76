import type { ListModelPackagesCommandInput, ModelPackageSummary } from '@aws-sdk/client-sagemaker'
import { type ApprovalStatus, APPROVAL_OF_PROMOTION, APPROVAL_STATUSES, type ModelVersion, type RegisteredModel } from '../../domain.js'
import { GatewayError, unsupported } from '../../errors.js'
import type { ModelVersionFilter, ModelVersionPredicate, RegisteredModelFilter, RegisteredModelPredicate } from '../../contract/filter.js'
import { matchString } from '../../contract/filter-matching.js'
import type { ModelRegistryReader, ModelRegistryWriter, ModelVersionQuery, Page, PageRequest, RegisteredModelQuery } from '../../contract/backend.js'
import type { SagemakerClient } from './client.js'
import { APPROVAL_TO_WIRE, toModelVersion, toRegisteredModel } from './map.js'
import { VERSIONS_START, type VersionsPosition, decodeVersionsToken, encodeVersionsToken } from './page-token.js'

/** SageMaker's ceiling for one list page. */
const MAX_RESULTS = 100

/**
 * SageMaker Model Registry as a model registry: model package groups are
 * registered models, versioned model packages are versions.
 *
 * Filters: SageMaker can only narrow a list (by group, one approval
 * status), so those predicates are pushed as narrowings (model-name
 * conditions pick the groups to list) and every predicate stays in the
 * residual the gateway re-checks.
 *
 * Lists return whole records: summaries lack metadata and containers, so
 * the packages of a page are read in full, per group: one Search (by group
 * name) for three or more of a group's packages, else DescribeModelPackage
 * each, at most `maxConcurrency` calls at once. (BatchDescribeModelPackage
 * would not do: it leaves out the metadata properties, and moto lacks it.)
 */
export class SagemakerModelRegistry implements ModelRegistryReader {
  constructor(
    private readonly backendId: string,
    private readonly client: SagemakerClient,
  ) {}

  planModelFilter(filter: RegisteredModelFilter): { pushed: RegisteredModelFilter; residual: RegisteredModelFilter } {
    return { pushed: { all: filter.all.filter(isNameNarrowing) }, residual: filter }
  }

  planVersionFilter(filter: ModelVersionFilter): { pushed: ModelVersionFilter; residual: ModelVersionFilter } {
    return { pushed: { all: filter.all.filter((predicate) => predicate.field === 'modelName' || approvalNarrowing(predicate) !== null) }, residual: filter }
  }

  async listRegisteredModels(query: RegisteredModelQuery, page: PageRequest): Promise<Page<RegisteredModel>> {
    const response = await this.client.listModelPackageGroups({
      SortBy: 'Name',
      SortOrder: 'Ascending',
      MaxResults: clampPage(page.first),
      NextToken: page.token ?? undefined,
      NameContains: nameContains(query.filter),
    })
    return {
      items: (response.ModelPackageGroupSummaryList ?? []).map((group) => toRegisteredModel(this.backendId, group)),
      nextToken: response.NextToken ?? null,
    }
  }

  async countRegisteredModels(): Promise<null> {
    return null
  }

  async getRegisteredModels(names: readonly string[]): Promise<(RegisteredModel | null)[]> {
    return Promise.all(names.map((name) => this.missingAsNull(async () => toRegisteredModel(this.backendId, await this.client.describeModelPackageGroup(name)))))
  }

  /**
   * Versions by group name, newest first: the groups in name order (the
   * given ones, or SageMaker's listing), and within each group its packages
   * by creation time, newest first, which is version order.
   */
  async listModelVersions(query: ModelVersionQuery, page: PageRequest): Promise<Page<ModelVersion>> {
    const narrowedName = query.filter.all.map(exactModelName).find((name) => name !== null) ?? null
    let explicit = query.modelIds ? [...new Set(query.modelIds)].sort(compareNames) : null
    if (narrowedName !== null) explicit = (explicit ?? [narrowedName]).filter((name) => name === narrowedName)
    const approval = query.filter.all.map(approvalNarrowing).find((status) => status !== null) ?? null

    // A version's model name is its group's name: groups whose names fail the filter are skipped unlisted.
    const nameConditions = query.filter.all.flatMap((predicate) => (predicate.field === 'modelName' ? [predicate] : []))
    const groupMatches = (name: string) => nameConditions.every((condition) => matchString(name, condition.op, condition.value))

    let position: VersionsPosition = decodeVersionsToken(page.token, this.backendId)
    const summaries: ModelPackageSummary[] = []
    // The groups page being walked, listed once per call however many of its groups the call visits.
    let groups: { token: string | null; names: string[]; nextToken: string | null } | null = null
    while (summaries.length < page.first) {
      if (explicit) groups = { token: null, names: explicit, nextToken: null }
      else if (!groups || groups.token !== position.groupsToken) groups = { token: position.groupsToken, ...(await this.groupNames(position.groupsToken)) }
      if (position.groupIndex >= groups.names.length) {
        if (!groups.nextToken) return { items: await this.describeAll(summaries), nextToken: null }
        position = { ...VERSIONS_START, groupsToken: groups.nextToken }
        continue
      }
      if (!groupMatches(groups.names[position.groupIndex])) {
        position = { ...position, groupIndex: position.groupIndex + 1, packagesToken: null }
        continue
      }
      const request: ListModelPackagesCommandInput = {
        ModelPackageGroupName: groups.names[position.groupIndex],
        ModelPackageType: 'Versioned',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: clampPage(page.first - summaries.length),
        NextToken: position.packagesToken ?? undefined,
        ModelApprovalStatus: approval ? APPROVAL_TO_WIRE[approval] : undefined,
      }
      const response = await this.missingAsNull(() => this.client.listModelPackages(request))
      summaries.push(...(response?.ModelPackageSummaryList ?? []))
      position = response?.NextToken
        ? { ...position, packagesToken: response.NextToken }
        : { ...position, groupIndex: position.groupIndex + 1, packagesToken: null }
    }
    return { items: await this.describeAll(summaries), nextToken: encodeVersionsToken(position) }
  }

  async countModelVersions(): Promise<null> {
    return null
  }

  async getModelVersions(arns: readonly string[]): Promise<(ModelVersion | null)[]> {
    const found = new Map((await this.readPackages(arns)).map((version) => [version.nativeId, version]))
    return arns.map((arn) => found.get(arn) ?? null)
  }

  /** The newest package in each approval status. */
  async latestVersions(group: string): Promise<ModelVersion[]> {
    const newest = await Promise.all(
      APPROVAL_STATUSES.map(async (status) => {
        const response = await this.client.listModelPackages({
          ModelPackageGroupName: group,
          ModelPackageType: 'Versioned',
          ModelApprovalStatus: APPROVAL_TO_WIRE[status],
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 1,
        })
        return response.ModelPackageSummaryList?.[0] ?? null
      }),
    )
    return this.describeAll(newest.filter((summary) => summary !== null))
  }

  writer(): ModelRegistryWriter {
    const refuse = (what: string) => () => Promise.reject(unsupported(`backend "${this.backendId}" (SageMaker Model Registry) ${what}`, this.backendId))
    return {
      createRegisteredModel: async (input) => {
        if (input.tags.length > 0) return refuse('keeps model tags as AWS resource tags, which mlgate does not write')()
        await this.client.createModelPackageGroup({ ModelPackageGroupName: input.name, ModelPackageGroupDescription: input.description ?? undefined })
        const [model] = await this.getRegisteredModels([input.name])
        if (!model) throw new GatewayError('INTERNAL', `model package group ${input.name} vanished after creation`, { backend: this.backendId })
        return model
      },
      createModelVersion: async (input) => {
        const spec = input.package
        if (!spec) return refuse('registers packages with an inference container: createModelVersion needs one here (registry sync gives it)')()
        const arn = await this.client.createModelPackage({
          ModelPackageGroupName: input.modelId,
          ModelPackageDescription: input.description ?? undefined,
          ModelApprovalStatus: APPROVAL_TO_WIRE[spec.approval],
          CustomerMetadataProperties: Object.fromEntries(input.tags.map((tag) => [tag.key, tag.value])),
          InferenceSpecification: {
            Containers: [
              {
                Image: spec.image,
                ...(spec.modelDataUrl !== null && { ModelDataUrl: spec.modelDataUrl }),
                ...(Object.keys(spec.environment).length > 0 && { Environment: spec.environment }),
                ...(spec.framework !== null && { Framework: spec.framework }),
              },
            ],
            SupportedContentTypes: ['application/json'],
            SupportedResponseMIMETypes: ['application/json'],
          },
        })
        const created = await this.describePackage(arn)
        if (!created) throw new GatewayError('INTERNAL', `model package ${arn} vanished after creation`, { backend: this.backendId })
        return created
      },
      transitionModelVersion: refuse('has approval statuses, not stages: use setModelVersionApproval'),
      setModelVersionApproval: (arn, status, description) => this.updatePackage(arn, { approval: status, approvalDescription: description }),
      setModelAlias: refuse('has no aliases'),
      deleteModelAlias: refuse('has no aliases'),
      setRegisteredModelTags: refuse('keeps model tags as AWS resource tags, which mlgate does not write'),
      setModelVersionTags: (arn, tags) => this.updatePackage(arn, { properties: Object.fromEntries(tags.map((tag) => [tag.key, tag.value])) }),
      deleteRegisteredModelTag: refuse('keeps model tags as AWS resource tags, which mlgate does not write'),
      deleteModelVersionTag: refuse('keeps version metadata as customer metadata properties, which mlgate only adds to'),
      updateRegisteredModel: refuse('cannot change a model package group\'s description'),
      updateModelVersion: refuse('keeps a package\'s description fixed'),
      renameRegisteredModel: refuse('cannot rename a model package group'),
      deleteRegisteredModel: refuse('deletes model package groups through SageMaker itself'),
      deleteModelVersion: refuse('deletes model packages through SageMaker itself'),
    }
  }

  /**
   * UpdateModelPackage with everything that must stay sent again: some
   * emulators (moto) replace what an update leaves out, so the current
   * approval, its description and the metadata properties always go along.
   */
  private async updatePackage(
    arn: string,
    change: { approval?: ApprovalStatus; approvalDescription?: string | null; properties?: Record<string, string> },
  ): Promise<ModelVersion> {
    const current = await this.client.describeModelPackage(arn)
    await this.client.updateModelPackage({
      ModelPackageArn: current.ModelPackageArn ?? arn,
      ModelApprovalStatus: change.approval ? APPROVAL_TO_WIRE[change.approval] : current.ModelApprovalStatus,
      ApprovalDescription: (change.approval ? change.approvalDescription : current.ApprovalDescription) ?? undefined,
      CustomerMetadataProperties: { ...current.CustomerMetadataProperties, ...change.properties },
    })
    const updated = await this.describePackage(arn)
    if (!updated) throw new GatewayError('NOT_FOUND', `model package ${arn} does not exist`, { backend: this.backendId })
    return updated
  }

  private async groupNames(token: string | null): Promise<{ names: string[]; nextToken: string | null }> {
    const response = await this.client.listModelPackageGroups({ SortBy: 'Name', SortOrder: 'Ascending', MaxResults: MAX_RESULTS, NextToken: token ?? undefined })
    return {
      names: (response.ModelPackageGroupSummaryList ?? []).map((group) => group.ModelPackageGroupName ?? ''),
      nextToken: response.NextToken ?? null,
    }
  }

  /** Whole records of these packages, in the order asked for; missing ones left out. */
  private async describeAll(summaries: ModelPackageSummary[]): Promise<ModelVersion[]> {
    const arns = summaries.map((summary) => summary.ModelPackageArn ?? '')
    const found = new Map((await this.readPackages(arns)).map((version) => [version.nativeId, version]))
    return arns.flatMap((arn) => found.get(arn) ?? [])
  }

  /**
   * Reads packages in full: a group with at least SEARCH_FROM of them asked
   * for is searched (pages until all are found), the rest described one by one.
   */
  private async readPackages(arns: readonly string[]): Promise<ModelVersion[]> {
    const byGroup = new Map<string, Set<string>>()
    for (const arn of new Set(arns)) {
      const group = groupOfArn(arn)
      byGroup.set(group, (byGroup.get(group) ?? new Set()).add(arn))
    }
    const read = await Promise.all(
      [...byGroup].map(async ([group, wanted]): Promise<ModelVersion[]> => {
        if (group === '' || wanted.size < SEARCH_FROM) {
          return (await Promise.all([...wanted].map((arn) => this.describePackage(arn)))).filter((version) => version !== null)
        }
        const versions: ModelVersion[] = []
        let token: string | undefined
        do {
          const page = await this.client.searchModelPackages(group, token)
          for (const record of page.Results ?? []) {
            if (record.ModelPackage?.ModelPackageArn && wanted.has(record.ModelPackage.ModelPackageArn)) {
              versions.push(toModelVersion(this.backendId, record.ModelPackage))
            }
          }
          token = versions.length < wanted.size ? page.NextToken : undefined
        } while (token)
        return versions
      }),
    )
    return read.flat()
  }

  private describePackage(arn: string): Promise<ModelVersion | null> {
    return this.missingAsNull(async () => toModelVersion(this.backendId, await this.client.describeModelPackage(arn)))
  }

  private async missingAsNull<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read()
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'NOT_FOUND') return null
      throw error
    }
  }
}

const clampPage = (first: number) => Math.min(Math.max(first, 1), MAX_RESULTS)

/** From this many packages of one group on, one Search beats a Describe each. */
const SEARCH_FROM = 3

/** `arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>` → the group; '' for other shapes. */
function groupOfArn(arn: string): string {
  const match = /:model-package\/(.+)\/\d+$/.exec(arn)
  return match ? match[1] : ''
}

/** SageMaker lists names in code-point order; so does this. */
const compareNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function isNameNarrowing(predicate: RegisteredModelPredicate): boolean {
  return nameContains({ all: [predicate] }) !== undefined
}

/** A literal run of characters every matching name contains (case-sensitive filters only), for NameContains. */
function nameContains(filter: RegisteredModelFilter): string | undefined {
  for (const predicate of filter.all) {
    if (predicate.field !== 'name' || (predicate.op !== 'EQ' && predicate.op !== 'LIKE')) continue
    const literal = predicate.op === 'EQ' ? predicate.value : longestLiteral(predicate.value)
    if (literal.length > 0) return literal
  }
  return undefined
}

function longestLiteral(pattern: string): string {
  return pattern.split(/[%_]/).reduce((longest, part) => (part.length > longest.length ? part : longest), '')
}

function exactModelName(predicate: ModelVersionPredicate): string | null {
  return predicate.field === 'modelName' && predicate.op === 'EQ' ? predicate.value : null
}

/** One approval status every matching version has, when the predicate pins one. */
function approvalNarrowing(predicate: ModelVersionPredicate): ApprovalStatus | null {
  if (predicate.field === 'approvalStatus' && predicate.values.length === 1) return predicate.values[0]
  if (predicate.field === 'promotion' && predicate.values.length === 1) return APPROVAL_OF_PROMOTION[predicate.values[0]]
  return null
}
