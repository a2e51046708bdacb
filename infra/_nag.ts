import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from './app.ts';
const { app } = buildApp({ context: { ...JSON.parse((await import('node:fs')).readFileSync('cdk.json','utf8')).context, 'aws:cdk:bundling-stacks': [] } });
const report = new AwsSolutionsChecks().validateScope(app);
for (const v of report.violations) console.log(v.ruleName, v.severity, v.violatingResources.map(r => r.constructPath).join(' '), '-', v.description.slice(0, 80));
console.log('total', report.violations.length);
