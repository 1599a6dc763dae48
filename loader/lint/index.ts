// xlp lint: payload/image mismatches that break live patches, found before loading (README.md lists the rules).
export { RULES, type Finding, type RuleId, type RuleInfo, type Severity } from './catalogue.ts';
export type { SuggestedExpectation } from './context.ts';
export { formatExpectations, formatText, summaryLine, toJson } from './format.ts';
export { formatFigures, imageFigures, type ImageFigures } from './figures.ts';
export { LintImage, type CodeRegion } from './image-model.ts';
export { lint, lintImage, type LintReport, type PayloadInput } from './lint.ts';
