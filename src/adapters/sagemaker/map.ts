import type { ModelApprovalStatus, ModelMetrics, ModelPackage, ModelPackageGroupSummary } from '@aws-sdk/client-sagemaker'
import { type ApprovalStatus, MLFLOW_RUN_ID_PROPERTY, type ModelPackageDetails, type ModelVersion, type RegisteredModel } from '../../domain.js'

/** SageMaker Model Registry's shapes → the gateway's records. */

export const APPROVAL_FROM_WIRE: Record<ModelApprovalStatus, ApprovalStatus> = {
  PendingManualApproval: 'PENDING_MANUAL_APPROVAL',
  Approved: 'APPROVED',
  Rejected: 'REJECTED',
}

export const APPROVAL_TO_WIRE: Record<ApprovalStatus, ModelApprovalStatus> = {
  PENDING_MANUAL_APPROVAL: 'PendingManualApproval',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
}

/** The fields of a package record mlgate reads; DescribeModelPackage's answer and Search's ModelPackage both have them. */
export type PackageRecord = Pick<
  ModelPackage,
  | 'ModelPackageArn'
  | 'ModelPackageGroupName'
  | 'ModelPackageVersion'
  | 'ModelPackageDescription'
  | 'ModelApprovalStatus'
  | 'ModelPackageStatus'
  | 'CustomerMetadataProperties'
  | 'InferenceSpecification'
  | 'MetadataProperties'
  | 'ModelMetrics'
  | 'CreationTime'
  | 'LastModifiedTime'
>


/** A group as ListModelPackageGroups or DescribeModelPackageGroup returns it (the fields both have). */
export function toRegisteredModel(backendId: string, group: ModelPackageGroupSummary): RegisteredModel {
  const name = group.ModelPackageGroupName ?? ''
  const createdAt = group.CreationTime ?? new Date(0)
  return {
    recordType: 'RegisteredModel',
    backendId,
    nativeId: name,
    name,
    description: group.ModelPackageGroupDescription || null,
    // Group tags are AWS resource tags (ListTags, one call per group); mlgate does not read them.
    tags: {},
    aliases: [],
    createdAt,
    updatedAt: createdAt,
  }
}

/** A package as DescribeModelPackage or Search returns it. */
export function toModelVersion(backendId: string, pkg: PackageRecord): ModelVersion {
  const properties = pkg.CustomerMetadataProperties ?? {}
  const containers = (pkg.InferenceSpecification?.Containers ?? []).map((container) => ({
    image: container.Image ?? null,
    modelDataUrl: container.ModelDataUrl ?? null,
  }))
  const createdAt = pkg.CreationTime ?? new Date(0)
  return {
    recordType: 'ModelVersion',
    backendId,
    nativeId: pkg.ModelPackageArn ?? '',
    modelNativeId: pkg.ModelPackageGroupName ?? '',
    version: pkg.ModelPackageVersion ?? 0,
    stage: null,
    approvalStatus: pkg.ModelApprovalStatus ? APPROVAL_FROM_WIRE[pkg.ModelApprovalStatus] : 'PENDING_MANUAL_APPROVAL',
    status: pkg.ModelPackageStatus ?? null,
    source: containers.find((container) => container.modelDataUrl)?.modelDataUrl ?? null,
    runId: properties[MLFLOW_RUN_ID_PROPERTY] ?? null,
    description: pkg.ModelPackageDescription || null,
    tags: { ...properties },
    aliases: [],
    createdAt,
    updatedAt: pkg.LastModifiedTime ?? createdAt,
    packageDetails: toPackageDetails(pkg, containers),
  }
}

function toPackageDetails(pkg: PackageRecord, containers: ModelPackageDetails['containers']): ModelPackageDetails {
  const metadata = pkg.MetadataProperties
  return {
    metadata: {
      commitId: metadata?.CommitId ?? null,
      repository: metadata?.Repository ?? null,
      generatedBy: metadata?.GeneratedBy ?? null,
      projectId: metadata?.ProjectId ?? null,
    },
    containers,
    modelMetrics: metricReports(pkg.ModelMetrics),
  }
}

/** Every report in ModelMetrics, flattened to `Section.Report` kinds (e.g. `ModelQuality.Statistics`). */
function metricReports(metrics: ModelMetrics | undefined): ModelPackageDetails['modelMetrics'] {
  const reports: ModelPackageDetails['modelMetrics'] = []
  for (const [section, group] of Object.entries(metrics ?? {})) {
    if (typeof group !== 'object' || group === null) continue
    for (const [report, source] of Object.entries(group as Record<string, { ContentType?: string; S3Uri?: string } | undefined>)) {
      if (source?.S3Uri) reports.push({ kind: `${section}.${report}`, contentType: source.ContentType ?? null, s3Uri: source.S3Uri })
    }
  }
  return reports
}
