import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { presentShop, presentStaff } from '../../domain/present.ts';
import { LogoBodySchema, ShopPatchSchema, ShopSchema, StaffCreateBodySchema, StaffPatchBodySchema, StaffSchema } from '@frontdesk/protocol/schemas';
import { StaffParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];

/** Shop administration for owners and admins. */
export function adminRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get(
      '/shop',
      {
        schema: { tags: ['admin'], summary: 'The shop and its settings (owner, admin)', security, response: { 200: ShopSchema, ...errorResponses } },
      },
      async (request) => presentShop(await services.shops.get(principalOf(request)), true),
    );

    app.patch<{ Body: Static<typeof ShopPatchSchema> }>(
      '/shop',
      {
        schema: {
          tags: ['admin'],
          summary: 'Update the shop name or settings (owner, admin)',
          security,
          body: ShopPatchSchema,
          response: { 200: ShopSchema, ...errorResponses },
        },
      },
      async (request) => presentShop(await services.shops.update(principalOf(request), request.body), true),
    );

    app.post<{ Body: Static<typeof LogoBodySchema> }>(
      '/shop/logo',
      {
        // 128 KiB in base64 fits whatever HTTP_BODY_LIMIT a deployment chose.
        bodyLimit: 320 * 1024,
        schema: {
          tags: ['admin'],
          summary: 'Upload the widget’s logo (owner, admin)',
          description:
            'A PNG, JPEG, WebP or GIF of at most 128 KiB, base64-encoded; the type comes from the bytes (never SVG). It is re-encoded ' +
            'without metadata, at most 320 px, and becomes `settings.widget.logo`. Remove it with `PATCH /shop` and `logo: null`.',
          security,
          body: LogoBodySchema,
          response: { 200: ShopSchema, ...errorResponses },
        },
      },
      async (request) => presentShop(await services.widgetAppearance.setLogo(principalOf(request), Buffer.from(request.body.contentBase64, 'base64')), true),
    );

    app.post(
      '/shop/identity-secret',
      {
        schema: {
          tags: ['admin'],
          summary: 'Rotate the identity secret (owner); identities signed with the old one stop working',
          security,
          response: { 200: Type.Object({ identitySecret: Type.String() }), ...errorResponses },
        },
      },
      async (request) => ({ identitySecret: await services.shops.rotateIdentitySecret(principalOf(request)) }),
    );

    app.get(
      '/staff',
      {
        schema: {
          tags: ['admin'],
          summary: 'Staff of the shop (owner, admin)',
          security,
          response: { 200: Type.Object({ items: Type.Array(StaffSchema) }), ...errorResponses },
        },
      },
      async (request) => ({ items: (await services.staff.list(principalOf(request))).map(presentStaff) }),
    );

    app.post<{ Body: Static<typeof StaffCreateBodySchema> }>(
      '/staff',
      {
        schema: {
          tags: ['admin'],
          summary: 'Create a staff account (owner, admin)',
          description: 'Without `password` one is generated and returned once in `password`.',
          security,
          body: StaffCreateBodySchema,
          response: {
            201: Type.Object({ staff: StaffSchema, password: Type.Optional(Type.String()) }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { staff, password } = await services.staff.create(principalOf(request), request.body);
        const generated = request.body.password === undefined;
        return reply.status(201).send({ staff: presentStaff(staff), ...(generated && { password }) });
      },
    );

    app.patch<{ Params: Static<typeof StaffParams>; Body: Static<typeof StaffPatchBodySchema> }>(
      '/staff/:staffId',
      {
        schema: {
          tags: ['admin'],
          summary: 'Change name, role, capacity, or disable / enable (owner, admin)',
          security,
          params: StaffParams,
          body: StaffPatchBodySchema,
          response: { 200: StaffSchema, ...errorResponses },
        },
      },
      async (request) => presentStaff(await services.staff.update(principalOf(request), request.params.staffId, request.body)),
    );
  };
}
